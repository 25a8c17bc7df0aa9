//! The one diesel schema for both databases, in portable types. Written by hand to
//! match `migrations/{sqlite,postgres}`; the schema-parity test keeps all three in step.

diesel::table! {
    communities (id) {
        id -> Text,
        name -> Text,
        time_zone -> Text,
        default_locale -> Text,
        created_at -> Timestamp,
        street -> Nullable<Text>,
        meeting_time -> Nullable<Text>,
        meeting_place -> Nullable<Text>,
        workflow -> Nullable<Text>,
        settings -> Nullable<Text>,
    }
}

diesel::table! {
    compounds (id) {
        id -> Text,
        community_id -> Text,
        name -> Text,
        created_at -> Timestamp,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
    }
}

diesel::table! {
    buildings (id) {
        id -> Text,
        community_id -> Text,
        compound_id -> Text,
        name -> Text,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        community_id -> Text,
        kind -> Text,
        name -> Text,
        contact_emails -> Text,
        compound_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        community_id -> Text,
        login -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        password_hash -> Text,
        roles -> Text,
        locale -> Nullable<Text>,
        compound_id -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    memberships (user_id, org_id) {
        user_id -> Text,
        org_id -> Text,
        community_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    issues (id) {
        id -> Text,
        community_id -> Text,
        workflow -> Text,
        state -> Text,
        title -> Text,
        description -> Text,
        category -> Text,
        compound_id -> Text,
        building_id -> Nullable<Text>,
        unit -> Nullable<Text>,
        raised_by -> Text,
        raised_by_org -> Nullable<Text>,
        responsible_org -> Nullable<Text>,
        commitment_text -> Nullable<Text>,
        commitment_due -> Nullable<Date>,
        committed_by -> Nullable<Text>,
        committed_by_org -> Nullable<Text>,
        commitment_meeting -> Nullable<Text>,
        committed_at -> Nullable<Timestamp>,
        resolution_note -> Nullable<Text>,
        verification -> Nullable<Text>,
        duplicate_of -> Nullable<Text>,
        closing_reason -> Nullable<Text>,
        support_count -> Integer,
        reopen_count -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        state_entered_at -> Timestamp,
        overdue_since -> Nullable<Timestamp>,
        extension -> Nullable<Text>,
        urgency -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        community_id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        subject_kind -> Text,
        subject_id -> Text,
        details -> Text,
    }
}

diesel::table! {
    issue_events (id) {
        id -> Text,
        community_id -> Text,
        issue_id -> Text,
        version -> Integer,
        transition -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        actor_id -> Text,
        actor_org -> Nullable<Text>,
        at -> Timestamp,
        fields -> Text,
    }
}

diesel::table! {
    supports (issue_id, user_id) {
        issue_id -> Text,
        user_id -> Text,
        community_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    meetings (id) {
        id -> Text,
        community_id -> Text,
        slot -> Date,
        starts_at -> Timestamp,
        place -> Text,
        status -> Text,
        announcements -> Text,
        opened_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        agenda_status -> Text,
        agenda_built_at -> Nullable<Timestamp>,
        agenda_published_at -> Nullable<Timestamp>,
        scorecard -> Nullable<Text>,
        skip_reason -> Nullable<Text>,
    }
}

diesel::table! {
    agenda_items (id) {
        id -> Text,
        community_id -> Text,
        meeting_id -> Text,
        position -> Integer,
        section -> Text,
        issue_id -> Nullable<Text>,
        title -> Text,
        minutes_allowed -> Integer,
        in_appendix -> Bool,
        outcome -> Nullable<Text>,
        outcome_note -> Nullable<Text>,
        carried_from -> Nullable<Text>,
        created_at -> Timestamp,
        reason -> Text,
        review_on -> Nullable<Date>,
        refused_due_date -> Nullable<Date>,
        refused_return -> Bool,
    }
}

diesel::table! {
    attendances (meeting_id, org_id) {
        meeting_id -> Text,
        org_id -> Text,
        community_id -> Text,
        attendees -> Text,
    }
}

diesel::table! {
    commitments (id) {
        id -> Text,
        community_id -> Text,
        issue_id -> Text,
        meeting_id -> Nullable<Text>,
        org_id -> Nullable<Text>,
        text -> Text,
        due_date -> Date,
        committed_by -> Text,
        committed_at -> Timestamp,
        extended_from -> Nullable<Date>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    minutes (id) {
        id -> Text,
        community_id -> Text,
        meeting_id -> Text,
        revision -> Integer,
        status -> Text,
        body -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        community_id -> Text,
        effect -> Text,
        issue_id -> Nullable<Text>,
        event_id -> Nullable<Text>,
        payload -> Text,
        dedupe_key -> Nullable<Text>,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        sending_since -> Nullable<Timestamp>,
        interrupted -> Integer,
        channel_id -> Nullable<Text>,
    }
}

diesel::table! {
    job_runs (job, slot) {
        job -> Text,
        slot -> Text,
        instance -> Text,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        community_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        community_id -> Text,
        user_id -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    used_reset_links (nonce) {
        nonce -> Text,
        user_id -> Text,
        used_at -> Timestamp,
    }
}

diesel::table! {
    used_links (nonce) {
        nonce -> Text,
        issue_id -> Text,
        used_at -> Timestamp,
    }
}

diesel::joinable!(issues -> compounds (compound_id));
diesel::joinable!(issue_events -> issues (issue_id));
diesel::joinable!(memberships -> organisations (org_id));
diesel::joinable!(memberships -> users (user_id));

diesel::table! {
    agenda_drops (meeting_id, issue_id) {
        meeting_id -> Text,
        issue_id -> Text,
        community_id -> Text,
        dropped_at -> Timestamp,
    }
}

diesel::table! {
    photos (id) {
        id -> Text,
        community_id -> Text,
        issue_id -> Nullable<Text>,
        version -> Nullable<Integer>,
        content_hash -> Text,
        thumb_hash -> Text,
        media_type -> Text,
        width -> Integer,
        height -> Integer,
        size_bytes -> Integer,
        uploaded_by -> Text,
        created_at -> Timestamp,
        public -> Bool,
    }
}

diesel::table! {
    user_buildings (user_id, building_id) {
        user_id -> Text,
        building_id -> Text,
        community_id -> Text,
    }
}

diesel::table! {
    proxy_reports (issue_id) {
        issue_id -> Text,
        community_id -> Text,
        households -> Integer,
        contacts -> Text,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        community_id -> Text,
        role -> Text,
        compound_id -> Nullable<Text>,
        building_id -> Nullable<Text>,
        unit -> Nullable<Text>,
        org_id -> Nullable<Text>,
        note -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        max_uses -> Integer,
        uses -> Integer,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    follows (issue_id, user_id) {
        issue_id -> Text,
        user_id -> Text,
        community_id -> Text,
        following -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notices (id) {
        id -> Text,
        community_id -> Text,
        user_id -> Text,
        issue_id -> Text,
        version -> Integer,
        transition -> Text,
        actor_id -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        mailed_at -> Nullable<Timestamp>,
        meeting_id -> Nullable<Text>,
        reminder -> Bool,
    }
}

diesel::table! {
    notice_settings (user_id) {
        user_id -> Text,
        community_id -> Text,
        mail -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    agenda_drops,
    follows,
    notices,
    notice_settings,
    invitations,
    photos,
    user_buildings,
    proxy_reports,
    audit_log,
    communities,
    compounds,
    buildings,
    organisations,
    users,
    memberships,
    issues,
    issue_events,
    supports,
    meetings,
    agenda_items,
    attendances,
    commitments,
    minutes,
    outbox,
    job_runs,
    api_tokens,
    sessions,
    settings,
    used_links,
    used_reset_links,
    open311_keys,
    channels,
    raise_keys,
    minutes_corrections,
    calendar_years,
);

diesel::table! {
    open311_keys (id) {
        id -> Text,
        community_id -> Text,
        name -> Text,
        user_id -> Text,
        key_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    channels (id) {
        id -> Text,
        community_id -> Text,
        kind -> Text,
        name -> Text,
        org_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        url -> Text,
        secret -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    raise_keys (user_id, key) {
        user_id -> Text,
        key -> Text,
        community_id -> Text,
        issue_id -> Text,
        fingerprint -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    minutes_corrections (id) {
        id -> Text,
        community_id -> Text,
        meeting_id -> Text,
        org_id -> Text,
        asked_by -> Text,
        body -> Text,
        asked_at -> Timestamp,
        answer -> Nullable<Text>,
        reply -> Text,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    calendar_years (community_id, year) {
        community_id -> Text,
        year -> Integer,
        holidays -> Text,
        workdays -> Text,
        entered_by -> Text,
        entered_at -> Timestamp,
    }
}
