//! Who the client is, by address: the socket peer, or, when the peer is a trusted reverse proxy, the address
//! that proxy saw, read from `X-Forwarded-For`. Rate limits, sessions and the access log all use this one answer.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use actix_web::HttpRequest;

use crate::config::TrustedProxies;

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address. Without a trusted proxy in front it is the socket peer, and a forwarded header is
/// ignored (any client can send one). When the peer is a trusted proxy, `X-Forwarded-For` is read from the
/// right (each proxy appends the address it saw): the first entry that is not itself a trusted proxy is the
/// client. An entry that is not an address stops the walk at the last trusted hop, which is then taken as the
/// client: whatever lies left of it was written by someone we do not trust. A request with no peer address
/// (not a TCP connection) counts as `0.0.0.0`.
pub fn client_ip(req: &HttpRequest, proxies: &TrustedProxies) -> IpAddr {
    let peer = req
        .peer_addr()
        .map_or(Ipv4Addr::UNSPECIFIED.into(), |a| a.ip());
    let forwarded = req
        .headers()
        .get_all(X_FORWARDED_FOR)
        .filter_map(|value| value.to_str().ok());
    resolve(peer, forwarded, proxies)
}

/// The walk of `client_ip`, over the header's values in the order they arrived.
fn resolve<'a>(
    peer: IpAddr,
    forwarded: impl Iterator<Item = &'a str>,
    proxies: &TrustedProxies,
) -> IpAddr {
    let mut client = peer.to_canonical();
    if !proxies.contains(client) {
        return client;
    }
    let entries: Vec<&str> = forwarded.flat_map(|value| value.split(',')).collect();
    for entry in entries.into_iter().rev() {
        let Some(hop) = parse_entry(entry) else {
            break;
        };
        client = hop;
        if !proxies.contains(hop) {
            break;
        }
    }
    client
}

/// One entry: an address, possibly with a port (`1.2.3.4:5678`, `[2001:db8::1]:443`) as some proxies write it.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn client(peer: &str, xff: &[&str], proxies: &str) -> IpAddr {
        let mut req = TestRequest::default().peer_addr(SocketAddr::new(ip(peer), 40_000));
        for value in xff {
            req = req.append_header((X_FORWARDED_FOR, *value));
        }
        client_ip(
            &req.to_http_request(),
            &TrustedProxies::parse(proxies).unwrap(),
        )
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(client("203.0.113.9", &[], ""), ip("203.0.113.9"));
        assert_eq!(client("203.0.113.9", &["1.1.1.1"], ""), ip("203.0.113.9"));
    }

    #[test]
    fn a_spoofed_header_from_an_untrusted_peer_is_ignored() {
        let spoofed = ["1.1.1.1, 10.0.0.1"];
        assert_eq!(
            client("203.0.113.9", &spoofed, "10.0.0.0/8"),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_rightmost_untrusted_entry_is_the_client() {
        // The client forged the first entry; our two proxies appended the rest.
        let xff = ["6.6.6.6, 198.51.100.7, 10.0.0.2"];
        assert_eq!(client("10.0.0.1", &xff, "10.0.0.0/8"), ip("198.51.100.7"));
        // The same chain split over two header lines.
        let split = ["6.6.6.6", "198.51.100.7, 10.0.0.2"];
        assert_eq!(client("10.0.0.1", &split, "10.0.0.0/8"), ip("198.51.100.7"));
        // A trusted peer that sent no header is the client itself.
        assert_eq!(client("10.0.0.1", &[], "10.0.0.0/8"), ip("10.0.0.1"));
        // Every entry a trusted proxy: the farthest one.
        assert_eq!(
            client("10.0.0.1", &["10.0.0.3, 10.0.0.2"], "10.0.0.0/8"),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn garbage_stops_at_the_last_trusted_hop() {
        let proxies = "10.0.0.0/8";
        assert_eq!(
            client("10.0.0.1", &["1.1.1.1, nonsense"], proxies),
            ip("10.0.0.1")
        );
        assert_eq!(
            client("10.0.0.1", &["1.1.1.1, nonsense, 10.0.0.2"], proxies),
            ip("10.0.0.2")
        );
        assert_eq!(
            client("10.0.0.1", &["garbage, 198.51.100.7"], proxies),
            ip("198.51.100.7")
        );
        assert_eq!(client("10.0.0.1", &[""], proxies), ip("10.0.0.1"));
        assert_eq!(
            client("10.0.0.1", &["198.51.100.7:5000"], proxies),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn ipv6_peers_and_entries() {
        let proxies = "2001:db8:1::/48, 10.0.0.0/8";
        let xff = ["2001:db8:ffff::42, [2001:db8:1::2]:443"];
        assert_eq!(
            client("2001:db8:1::1", &xff, proxies),
            ip("2001:db8:ffff::42")
        );
        // An IPv4 peer seen on a dual-stack socket as IPv4-mapped IPv6 is still that IPv4 address.
        assert_eq!(
            client("::ffff:10.0.0.1", &["198.51.100.7"], proxies),
            ip("198.51.100.7")
        );
        assert_eq!(
            client("::ffff:203.0.113.9", &[], proxies),
            ip("203.0.113.9")
        );
    }
}
