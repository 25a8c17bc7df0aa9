//! GeoReport v2 answers in both formats from one value: JSON as it is, XML by the spec's
//! element names (a list is a plural element holding singular ones: `<services><service>`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The format a path asks for by its extension (`services.xml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Splits `services.json` into `("services", Json)`; `None` for any other extension.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (name, ext) = file.rsplit_once('.')?;
        match ext {
            "json" => Some((name, Format::Json)),
            "xml" => Some((name, Format::Xml)),
            _ => None,
        }
    }
}

/// The element each item of a list is written as.
fn singular(list: &str) -> &str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "errors" => "error",
        "endpoints" => "endpoint",
        "formats" => "format",
        "attributes" => "attribute",
        "values" => "value",
        "notes" => "note",
        "photos" => "photo",
        other => other,
    }
}

fn write(out: &mut String, name: &str, value: &Value) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    match value {
        Value::Null => {}
        Value::String(s) => out.push_str(&quick_xml::escape::escape(s.as_str())),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Array(items) => items.iter().for_each(|item| write(out, singular(name), item)),
        Value::Object(fields) => fields.iter().for_each(|(k, v)| write(out, k, v)),
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// `value` as an XML document whose root element is `root`.
pub fn xml(root: &str, value: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    write(&mut out, root, value);
    out
}

/// The response: `value` in `format` (`root` names the XML document's root element).
pub fn respond(status: StatusCode, format: Format, root: &str, value: &Value) -> Response {
    let (body, media) = match format {
        Format::Json => (value.to_string(), "application/json; charset=utf-8"),
        Format::Xml => (xml(root, value), "text/xml; charset=utf-8"),
    };
    let mut r = (status, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    // Any site may read the public answers (the spec's clients are often web apps).
    r.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    r
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lists_are_plural_elements_of_singular_ones_and_text_is_escaped() {
        let v = json!([{"service_code": "parking", "description": "<b>&\"x\"</b>", "metadata": true, "lat": null}]);
        assert_eq!(
            xml("services", &v),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services><service>\
             <description>&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;</description><lat></lat><metadata>true</metadata>\
             <service_code>parking</service_code></service></services>"
        );
    }

    #[test]
    fn the_extension_names_the_format() {
        assert_eq!(Format::split("requests.xml"), Some(("requests", Format::Xml)));
        assert_eq!(Format::split("a.b.json"), Some(("a.b", Format::Json)));
        assert_eq!(Format::split("requests.csv"), None);
        assert_eq!(Format::split("requests"), None);
    }
}
