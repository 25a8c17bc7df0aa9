//! `/street`: the street office's comparison of its communities and companies.

use axum::http::StatusCode;
use axum::response::Response;
use roundtable_core::scorecard::Rate;
use serde::Serialize;

use crate::ops::street::{self as ops, Rates};
use crate::pages::render::{Ctx, Out, Page};

/// A rate as the page shows it: "3/4 · 75%", or a dash with nothing to count.
fn shown(r: Rate) -> String {
    r.percent().map_or_else(|| "—".to_owned(), |p| format!("{}/{} · {p}%", r.n, r.m))
}

#[derive(Serialize)]
struct RatesShown {
    received: u32,
    response: String,
    resolution: String,
    satisfaction: String,
    overdue: u32,
}

impl From<Rates> for RatesShown {
    fn from(r: Rates) -> Self {
        RatesShown {
            received: r.received,
            response: shown(r.response),
            resolution: shown(r.resolution),
            satisfaction: shown(r.satisfaction),
            overdue: r.overdue,
        }
    }
}

#[derive(Serialize)]
struct CommunityRow {
    id: String,
    name: String,
    open: i64,
    overdue: i64,
    rates: RatesShown,
}

#[derive(Serialize)]
struct CompanyRow {
    name: String,
    communities: String,
    rates: RatesShown,
}

#[derive(Serialize)]
struct StreetPage {
    street: String,
    communities: Vec<CommunityRow>,
    companies: Vec<CompanyRow>,
}

impl Page for StreetPage {
    const TEMPLATE: &'static str = "street";
}

pub async fn show(ctx: Ctx) -> Response {
    let out = async {
        let street = ops::comparison(&ctx.state, &ctx.caller()?).await?;
        let page = StreetPage {
            street: street.name,
            communities: street
                .communities
                .into_iter()
                .map(|c| CommunityRow {
                    id: c.id.to_string(),
                    name: c.name,
                    open: c.open,
                    overdue: c.overdue,
                    rates: c.rates.into(),
                })
                .collect(),
            companies: street
                .companies
                .into_iter()
                .map(|c| CompanyRow { name: c.name, communities: c.communities.join("、"), rates: c.rates.into() })
                .collect(),
        };
        Out::status(StatusCode::OK, page)
    }
    .await;
    ctx.respond(out)
}
