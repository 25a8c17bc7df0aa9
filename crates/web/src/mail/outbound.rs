//! Where the server may call out to: a robot or webhook is called at a public address, or
//! at a host the deployment lists in `mail.channel_hosts` (an intranet integrator, a
//! loopback sink for tests). A secretary must not be able to make the server call its
//! neighbours — the machine itself, the private network, a cloud's metadata service.
//!
//! A URL's text says little: a public-looking name may resolve to 10.0.0.5 or to 127.0.0.1,
//! today or after the channel was checked (DNS rebinding). So the check is made where the
//! address is used: the HTTP client resolves names through [`Guard`], which drops every
//! internal address of a host not listed, and a URL naming an address itself is checked
//! before the call ([`refused_literal`]), since the client does not resolve those.

use std::error::Error;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// What a refused call or channel is told (never the URL: a robot's holds its key).
pub const REFUSED: &str =
    "the address is on this machine or a private network (an intranet host must be listed in mail.channel_hosts)";

/// An address a channel may not reach unless its host is listed: this machine, a private
/// or shared network, link-local (cloud metadata), multicast or reserved space — also when
/// written as an IPv4 address inside an IPv6 one.
pub fn internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64
            // (64:ff9b::a.b.c.d) addresses reach the IPv4 address they hold.
            let embedded = v6.to_ipv4_mapped().or_else(|| match s {
                [0, 0, 0, 0, 0, 0, _, _] | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => {
                    Some(Ipv4Addr::from(((u32::from(s[6])) << 16) | u32::from(s[7])))
                }
                _ => None,
            });
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside)
                || embedded.is_some_and(internal_v4)
        }
    }
}

fn internal_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    v4.is_private()
        || v4.is_loopback()
        || v4.is_link_local()
        || v4.is_broadcast()
        || v4.is_multicast()
        || a == 0 // "this network"
        || a >= 240 // reserved
        || (a == 100 && (b & 0xc0) == 64) // shared address space (carrier-grade NAT)
        || (a == 192 && b == 0 && c == 0) // protocol assignments
        || (a == 198 && (b & 0xfe) == 18) // benchmarking
}

fn listed(listed: &[String], host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    listed.iter().any(|h| h.trim_start_matches('[').trim_end_matches(']').eq_ignore_ascii_case(host))
}

/// Whether a URL that names an internal address itself (`http://10.0.0.5/…`,
/// `http://[::ffff:127.0.0.1]/…`) must not be called: its host is not listed.
pub fn refused_literal(url: &reqwest::Url, hosts: &[String]) -> bool {
    // The URL parser writes an address in its one form (`0x7f.1` is `127.0.0.1`).
    let host = url.host_str().unwrap_or_default();
    let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() else {
        return false;
    };
    internal(ip) && !listed(hosts, host)
}

/// Resolves a host for the HTTP client, keeping only the addresses it may reach.
struct Guard {
    hosts: Arc<[String]>,
}

#[derive(Debug)]
struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REFUSED)
    }
}

impl Error for Refused {}

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let open = listed(&self.hosts, name.as_str());
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            // A host with a public and a private address is called at the public one only.
            let usable: Vec<SocketAddr> = found.iter().copied().filter(|a| open || !internal(a.ip())).collect();
            if usable.is_empty() && !found.is_empty() {
                return Err(Box::new(Refused) as Box<dyn Error + Send + Sync>);
            }
            Ok(Box::new(usable.into_iter()) as Addrs)
        })
    }
}

/// The hosts of the proxies the environment names (`HTTPS_PROXY`, `HTTP_PROXY`,
/// `ALL_PROXY`, either case), which the client goes through when set: they are the
/// operator's, often on the intranet, and are reached wherever they are (the client
/// resolves a proxy's name through the same guard).
fn proxy_hosts(values: impl Iterator<Item = String>) -> Vec<String> {
    values
        .filter_map(|v| {
            let v = v.trim();
            let url = if v.contains("://") { v.to_owned() } else { format!("http://{v}") };
            reqwest::Url::parse(&url).ok()?.host_str().map(str::to_owned)
        })
        .filter(|h| !h.is_empty())
        .collect()
}

/// The HTTP client for channels, resolving through a [`Guard`] for `hosts` (one client per
/// list, kept: its connections are reused). No redirects: a channel answers where it was
/// registered, or not at all.
pub fn client(hosts: &[String]) -> reqwest::Client {
    static CLIENTS: Mutex<Vec<(Vec<String>, reqwest::Client)>> = Mutex::new(Vec::new());
    let mut clients = CLIENTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, client)) = clients.iter().find(|(h, _)| h.as_slice() == hosts) {
        return client.clone();
    }
    let names = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];
    let mut open = hosts.to_vec();
    open.extend(proxy_hosts(names.iter().filter_map(|n| std::env::var(n).ok())));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("roundtable/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(Guard { hosts: open.into() }))
        .build()
        .expect("an HTTP client with the built-in roots");
    clients.push((hosts.to_vec(), client.clone()));
    client
}

/// Whether `host` (a name, not listed) resolves to an internal address now: `Some(true)`
/// refuses a channel when it is added; a name that does not resolve (yet) is `None` and
/// left to the check at each call.
pub async fn resolves_inside(host: &str) -> Option<bool> {
    let lookup = tokio::net::lookup_host((host, 0));
    let found: Vec<SocketAddr> = tokio::time::timeout(Duration::from_secs(3), lookup).await.ok()?.ok()?.collect();
    (!found.is_empty()).then(|| found.iter().any(|a| internal(a.ip())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_in_every_spelling() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.5",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(internal(ip.parse().unwrap()), "{ip} is internal");
        }
        for ip in ["1.1.1.1", "203.119.0.1", "100.128.0.1", "2408:8000::1", "::ffff:8.8.8.8", "64:ff9b::808:808"] {
            assert!(!internal(ip.parse().unwrap()), "{ip} is public");
        }
    }

    #[test]
    fn the_environments_proxies_are_reached_wherever_they_are() {
        let values = ["http://10.0.0.8:3128", "proxy.intra:8080", " socks5h://[fd00::1]:1080 ", "", "::"];
        let hosts = proxy_hosts(values.iter().map(|v| v.to_string()));
        assert_eq!(hosts, ["10.0.0.8", "proxy.intra", "[fd00::1]"]);
        assert!(listed(&hosts, "proxy.intra") && listed(&hosts, "fd00::1"));
    }

    #[test]
    fn a_url_naming_an_internal_address_is_refused_unless_listed() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        let none: Vec<String> = Vec::new();
        for u in ["http://127.0.0.1:9/x", "http://[::ffff:127.0.0.1]/x", "https://0x7f.1/x", "http://10.0.0.5/x"] {
            assert!(refused_literal(&url(u), &none), "{u}");
        }
        assert!(!refused_literal(&url("http://127.0.0.1:9/x"), &["127.0.0.1".into()]));
        assert!(!refused_literal(&url("http://[::1]:9/x"), &["[::1]".into()]));
        // A name is left to the resolver.
        assert!(!refused_literal(&url("http://localhost/x"), &none));
        assert!(!refused_literal(&url("https://1.1.1.1/x"), &none));
    }
}
