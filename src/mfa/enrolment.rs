//! What an authenticator app scans: the `otpauth://` Key URI (Google Authenticator's format, which every app
//! reads) and its QR code as SVG.

use qrcode::QrCode;
use qrcode::render::svg;

use super::totp::{DIGITS, PERIOD};

/// `otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30`.
pub fn otpauth_uri(issuer: &str, account: &str, secret_base32: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={secret_base32}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={PERIOD}",
        percent_encode(account)
    )
}

/// The URI as a QR code in SVG; `None` only if it were too long for a QR code, which a URI of bounded parts is not.
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build(),
    )
}

/// RFC 3986 percent-encoding of everything but the unreserved characters (so a space is `%20`, never `+`).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uri_names_issuer_and_account_and_the_qr_is_svg() {
        let uri = otpauth_uri("My authd", "a+b@example.com", "GEZDGNBV");
        assert_eq!(
            uri,
            "otpauth://totp/My%20authd:a%2Bb%40example.com?secret=GEZDGNBV&issuer=My%20authd&algorithm=SHA1&digits=6&period=30"
        );
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.contains("<svg"), "{svg}");
    }
}
