//! Email addresses, normalised so that one mailbox maps to one account, whichever way its characters were typed.

use idna::AsciiDenyList;
use idna::uts46::{DnsLength, Hyphens, Uts46};
use unicode_normalization::UnicodeNormalization;

/// A syntactically plausible address in one canonical form: trimmed, lowercased, the local part in Unicode NFC,
/// the domain in its IDNA ASCII form (Punycode, `xn--`), so `jose\u{301}@b\u{fc}cher.example` is stored and
/// compared as `jos\u{e9}@xn--bcher-kva.example`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Normalises (see the type) and checks the shape `local@domain.tld` (RFC 5321 lengths, after
    /// normalisation). Deliverability is not checked.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let lowered = raw.trim().to_lowercase();
        let invalid = |why| Err(EmailError(why));
        if lowered.is_empty() {
            return invalid("email is required");
        }
        // Room for an address typed decomposed or as Unicode; the normalised form is held to 254 below.
        if lowered.len() > 4 * 254 {
            return invalid("email must be at most 254 bytes");
        }
        if lowered
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "<>()[],;:\\\"".contains(c))
        {
            return invalid("email contains characters that are not allowed");
        }
        let Some((local, domain)) = lowered.split_once('@') else {
            return invalid("email must contain @");
        };
        let local = local_part(local)?;
        let domain = ascii_domain(domain)?;
        let email = format!("{local}@{domain}");
        if email.len() > 254 {
            return invalid("email must be at most 254 bytes");
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The local part in NFC. Compatibility forms (full-width letters, ligatures) are refused rather than folded:
/// NFC keeps them, and `\u{ff41}da` is not the mailbox `ada`, only looks like it.
fn local_part(local: &str) -> Result<String, EmailError> {
    let local: String = local.nfc().collect();
    if !local.nfkc().eq(local.chars()) {
        return Err(EmailError(
            "email contains compatibility characters (such as full-width letters); type the plain ones",
        ));
    }
    if local.is_empty()
        || local.len() > 64
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return Err(EmailError("the part before @ is not valid"));
    }
    Ok(local)
}

/// The domain through IDNA (UTS 46 mapping, then Punycode), as a resolver would look it up: `b\u{fc}cher.example`
/// and `xn--bcher-kva.example` are one domain. A domain IDNA refuses is not an address.
fn ascii_domain(domain: &str) -> Result<String, EmailError> {
    let invalid = || EmailError("the domain after @ is not valid");
    let ascii = Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Verify,
        )
        .map_err(|_| invalid())?;
    let labels: Vec<&str> = ascii.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(invalid());
    }
    Ok(ascii.into_owned())
}

/// Why an address was refused, as the client is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EmailError(pub &'static str);

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn accepts_common_shapes() {
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "x_y@exa-mple.io",
            "ü@bücher.de",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long = format!("a@{}.com", "b".repeat(260));
        for bad in [
            "",
            "   ",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a@b..com",
            "a b@c.com",
            "a@-b.com",
            ".a@b.com",
            "a..b@c.com",
            "a\0@b.com",
            "<a@b.com>",
            &long_local,
            &long,
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn canonically_equivalent_forms_are_one_address() {
        // U+00E9 against `e` + U+0301, in the local part and in the domain.
        let composed = Email::parse("jos\u{e9}@caf\u{e9}.example").unwrap();
        for form in [
            "jose\u{301}@cafe\u{301}.example",
            "JOSE\u{301}@CAF\u{c9}.example",
            "jos\u{e9}@xn--caf-dma.example",
        ] {
            assert_eq!(Email::parse(form).unwrap(), composed, "{form:?}");
        }
        assert_eq!(composed.as_str(), "jos\u{e9}@xn--caf-dma.example");
    }

    #[test]
    fn the_domain_is_kept_in_its_ascii_form() {
        for form in [
            "\u{fc}@b\u{fc}cher.example",
            "\u{fc}@xn--bcher-kva.example",
            "U\u{308}@XN--BCHER-KVA.Example",
            // UTS 46 maps compatibility forms in a domain, as resolvers do: full-width letters are ASCII.
            "\u{fc}@\u{ff42}\u{fc}\u{ff43}\u{ff48}\u{ff45}\u{ff52}.example",
        ] {
            let email = Email::parse(form).unwrap();
            assert_eq!(email.as_str(), "\u{fc}@xn--bcher-kva.example", "{form:?}");
        }
    }

    #[test]
    fn compatibility_forms_and_invalid_idna_domains_are_refused() {
        for bad in [
            // Full-width `ada`, and the `fi` ligature: NFC keeps them, and they are not the ASCII mailbox.
            "\u{ff41}\u{ff44}\u{ff41}@example.com",
            "\u{fb01}le@example.com",
            // A label that mixes left-to-right and right-to-left letters fails the IDNA bidi rule.
            "a@a\u{5d0}.example",
            // Not Punycode of anything valid.
            "a@xn--a.example",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parsing_a_normalised_address_changes_nothing() {
        for raw in [
            "Ada@Example.COM",
            "jose\u{301}@cafe\u{301}.example",
            "\u{130}stanbul@b\u{fc}cher.example",
            "stra\u{df}e@stra\u{df}e.example",
        ] {
            let once = Email::parse(raw).unwrap();
            assert_eq!(Email::parse(once.as_str()).unwrap(), once, "{raw:?}");
        }
    }
}
