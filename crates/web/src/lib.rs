//! roundtable-web: the service around the pure core — the JSON API, the `roundtable`
//! command, the demo community; pages, mail and the scheduler join it here.

pub mod access;
pub mod allocator;
pub mod api;
pub mod app;
pub mod auth;
pub mod charts;
pub mod cli;
pub mod community_settings;
pub mod config;
pub mod demo;
pub mod documents;
pub mod error;
pub mod feeds;
pub mod i18n;
pub mod input;
pub mod jobs;
pub mod mail;
pub mod open311;
pub mod ops;
pub mod pages;
pub mod photos;
pub mod places;
pub mod scores;
pub mod server;
pub mod state;
pub mod steps;
pub mod views;
pub mod workflows;
