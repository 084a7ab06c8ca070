//! Where a webhook may point: http or https, and (unless the configuration
//! allows them) no private, loopback, link-local or otherwise non-public
//! address, checked when it is set and again at each connection, so a
//! name that later resolves inward is refused too.

use std::{
    future::Future,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    pin::Pin,
    sync::LazyLock,
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The URLs a webhook may have: http or https, a host name (its last
/// label not a number) or an IPv4 address, an optional port, then
/// anything without spaces. The OpenAPI document gives the same pattern,
/// and every string it matches parses as a URL.
pub const PATTERN: &str = concat!(
    r"^https?://",
    r"(([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?",
    r"|((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))",
    r"(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?",
    r"([/?#]\S*)?$",
);

static URL_SHAPE: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(PATTERN).expect("the webhook URL pattern"));

/// Why a URL cannot be a webhook.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlProblem {
    /// Not an http or https URL of a host name or IPv4 address.
    #[error("not an http or https URL with a host name or an IPv4 address (and no user name)")]
    NotAUrl,
    /// It names an address inside a network.
    #[error("{0} is a private, loopback or link-local address")]
    Private(IpAddr),
}

/// Whether `ip` is reachable from the public internet only (not private,
/// loopback, link-local, shared, documentation, multicast or unspecified).
pub fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        // 100.64.0.0/10 (shared, carrier-grade NAT), 0.0.0.0/8, 192.0.0.0/24,
        // 198.18.0.0/15 (benchmarking), 240.0.0.0/4 (reserved).
        || (a == 100 && (64..128).contains(&b))
        || a == 0
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local, 2001:db8::/32
        // documentation.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8))
}

/// Checks the form of `url` and, when it names an address, the address.
pub fn check(url: &str, allow_private: bool) -> Result<reqwest::Url, UrlProblem> {
    if !URL_SHAPE.is_match(url) {
        return Err(UrlProblem::NotAUrl);
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| UrlProblem::NotAUrl)?;
    let ip = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(url::Host::Domain(_)) => None,
        None => return Err(UrlProblem::NotAUrl),
    };
    match ip {
        Some(ip) if !allow_private && !public(ip) => Err(UrlProblem::Private(ip)),
        _ => Ok(parsed),
    }
}

/// Resolves names through the system, keeping public addresses only.
pub(crate) struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let lookup = async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        };
        Box::pin(lookup)
            as Pin<
                Box<
                    dyn Future<Output = Result<Addrs, Box<dyn std::error::Error + Send + Sync>>>
                        + Send,
                >,
            >
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "2001:db8::1",
            "198.18.0.1",
        ] {
            assert!(!public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(check("https://hooks.example.com/numbot", false).is_ok());
        assert!(check("https://hooks.example.com:8443/a?b=c#d", false).is_ok());
        assert!(check("http://203.0.113.5/hook", true).is_ok());
        for bad in [
            "ftp://example.com/",
            "not a url",
            "https://user:pw@example.com/",
            "http://example.0/",
            "http://0000000000/",
            "http://999.1.1.1/",
            "http://example.com:65536/",
            "http://exa mple.com/",
        ] {
            assert_eq!(check(bad, true).unwrap_err(), UrlProblem::NotAUrl, "{bad}");
        }
        assert!(matches!(
            check("http://169.254.169.254/latest", false),
            Err(UrlProblem::Private(_))
        ));
        assert!(matches!(
            check("http://127.0.0.1:8080/", false),
            Err(UrlProblem::Private(_))
        ));
        assert!(check("http://127.0.0.1:9000/hook", true).is_ok(), "allowed");
    }
}
