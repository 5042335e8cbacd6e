//! Signed links for patients, who have no account: `/b/{token}` manages one booking, `/w/{token}`
//! takes a waitlist offer; and the calendar feeds' addresses (`/feeds/staff/{token}.ics`), which
//! calendar apps fetch without signing in. A token
//! is the booking's id and an HMAC-SHA-256 over a purpose and that id, so it cannot be forged
//! or turned into a link for another booking or another purpose, and nothing needs storing. The
//! key comes from the environment (`BOOKING_LINK_KEY`); a new key retires every link.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How many bytes of the MAC a link carries: 128 bits, beyond guessing, and short in a text.
const MAC_BYTES: usize = 16;
const ULID_CHARS: usize = 26;

/// What a link lets its holder do; part of what is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    /// See, confirm, move or cancel a booking.
    ManageBooking,
    /// Take a slot offered from the waitlist.
    WaitlistOffer,
    /// Read a staff member's bookings as an iCalendar feed.
    StaffFeed,
    /// Read a resource's bookings as an iCalendar feed.
    ResourceFeed,
}

impl LinkPurpose {
    fn label(self) -> &'static [u8] {
        match self {
            LinkPurpose::ManageBooking => b"manage-booking:",
            LinkPurpose::WaitlistOffer => b"waitlist-offer:",
            LinkPurpose::StaffFeed => b"staff-feed:",
            LinkPurpose::ResourceFeed => b"resource-feed:",
        }
    }

    fn path(self) -> &'static str {
        match self {
            LinkPurpose::ManageBooking => "/b/",
            LinkPurpose::WaitlistOffer => "/w/",
            LinkPurpose::StaffFeed => "/feeds/staff/",
            LinkPurpose::ResourceFeed => "/feeds/resources/",
        }
    }
}

/// Makes and checks patients' links.
#[derive(Clone)]
pub struct PatientLinks {
    base_url: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for PatientLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatientLinks").field("base_url", &self.base_url).field("key", &"(secret)").finish()
    }
}

impl PatientLinks {
    /// `base_url` is where patients reach the app (`PUBLIC_BASE_URL`).
    pub fn new(base_url: &str, key: &[u8]) -> PatientLinks {
        PatientLinks { base_url: base_url.trim_end_matches('/').to_owned(), key: key.to_vec() }
    }

    /// Where the app is reached (`PUBLIC_BASE_URL`, no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// HMAC takes keys of any length, so this is always `Some`; no panic either way.
    fn mac(&self, purpose: LinkPurpose, id: &str) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        mac.update(purpose.label());
        mac.update(id.as_bytes());
        Some(mac)
    }

    /// The token for `id`.
    pub fn token(&self, purpose: LinkPurpose, id: &str) -> String {
        let tag = self.mac(purpose, id).map(|m| m.finalize().into_bytes().to_vec()).unwrap_or_default();
        format!("{id}{}", URL_SAFE_NO_PAD.encode(tag.get(..MAC_BYTES).unwrap_or_default()))
    }

    /// The full link for `id`.
    pub fn url(&self, purpose: LinkPurpose, id: &str) -> String {
        format!("{}{}{}", self.base_url, purpose.path(), self.token(purpose, id))
    }

    /// The id a genuine token names, or `None`.
    pub fn verify(&self, purpose: LinkPurpose, token: &str) -> Option<String> {
        let (id, tag) = token.split_at_checked(ULID_CHARS)?;
        crate::input::ulid(id)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if tag.len() != MAC_BYTES {
            return None;
        }
        self.mac(purpose, id)?.verify_truncated_left(&tag).ok().map(|_| id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "01JDQ0000000000000000000AB";

    #[test]
    fn a_token_names_its_booking_and_nothing_else() {
        let links = PatientLinks::new("https://crm.example.com/", b"a key of some length, 32+ bytes");
        let token = links.token(LinkPurpose::ManageBooking, ID);
        assert_eq!(links.verify(LinkPurpose::ManageBooking, &token).as_deref(), Some(ID));
        assert_eq!(links.url(LinkPurpose::ManageBooking, ID), format!("https://crm.example.com/b/{token}"));
        // Another purpose, another key, another id, a changed character: all refused.
        assert_eq!(links.verify(LinkPurpose::WaitlistOffer, &token), None);
        let other = PatientLinks::new("https://crm.example.com", b"another key, also long enough..");
        assert_eq!(other.verify(LinkPurpose::ManageBooking, &token), None);
        let swapped = format!("01JDQ0000000000000000000AC{}", &token[26..]);
        assert_eq!(links.verify(LinkPurpose::ManageBooking, &swapped), None);
        let mut bytes = token.clone().into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            links.verify(LinkPurpose::ManageBooking, &String::from_utf8(bytes).unwrap_or_default()),
            None
        );
        for junk in
            ["", "short", "01JDQ0000000000000000000AB", "ü01JDQ0000000000000000000ABxxxxxxxxxxxxxxxxxxxxxx"]
        {
            assert_eq!(links.verify(LinkPurpose::ManageBooking, junk), None, "{junk}");
        }
        // Short enough for a text message.
        assert_eq!(token.len(), 26 + 22);
    }
}
