//! The document title, the one way pages set it.
//!
//! leptos_meta writes `<Title>` text into the server-rendered `<head>` as it is, without HTML
//! escaping (0.8.7; still so in 0.9.0-rc1), so a contact named `</title><script>…` would
//! become markup there. `PageTitle` escapes the text on the server only: in the browser the
//! same text goes to `document.title`, which is never parsed as HTML, so escaping there would
//! show `&lt;` in the tab. Clippy's `disallowed-methods` (clippy.toml) keeps `leptos_meta::Title`
//! out of every other module.

use leptos::prelude::*;

/// What the browser tab shows for a page called `page`: "page · Avatar CRM".
pub fn document_title(page: &str) -> String {
    let title = if page.is_empty() { "Avatar CRM".to_owned() } else { format!("{page} · Avatar CRM") };
    // Server: the text lands inside <title> in HTML. Browser: it is assigned to document.title.
    #[cfg(feature = "ssr")]
    let title = html_escape::encode_safe(&title).into_owned();
    title
}

/// Sets the document title to `text · Avatar CRM`; the deepest one rendered wins.
#[component]
pub fn PageTitle(#[prop(into)] text: TextProp) -> impl IntoView {
    #[allow(clippy::disallowed_methods)] // the one sanctioned use, escaped above
    let title = view! { <leptos_meta::Title text=move || document_title(&text.get()) /> };
    title
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::document_title;

    #[test]
    fn server_titles_are_escaped_once() {
        assert_eq!(
            document_title("</title><img src=x onerror=alert(1)>"),
            "&lt;&#x2F;title&gt;&lt;img src=x onerror=alert(1)&gt; · Avatar CRM"
        );
        assert_eq!(document_title("O'Brien & Sons"), "O&#x27;Brien &amp; Sons · Avatar CRM");
        assert_eq!(document_title(""), "Avatar CRM");
    }
}
