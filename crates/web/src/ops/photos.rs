//! Photos: uploaded first (only the uploader sees an unattached one), attached to the note
//! they illustrate when the issue is raised or a transition fired, served only to those
//! who may see the issue, deleted by their uploader or the secretary (on the audit trail).

use roundtable_core::audit::{AuditAction, AuditSubject};
use roundtable_core::photo::{MAX_PER_NOTE, Photo};
use roundtable_core::{PhotoId, Role};
use roundtable_store::photos;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::photos::Cleaned;
use crate::state::AppState;

/// Uploads a user may hold unattached at once (forms abandoned, a raise on its way).
pub const MAX_UNATTACHED: usize = 4 * MAX_PER_NOTE;

fn no_photo() -> ApiError {
    ApiError::NotFound("no such photo".into())
}

/// Stores cleaned uploads as the caller's, not yet attached to anything.
pub async fn upload(state: &AppState, caller: &Caller, cleaned: Vec<Cleaned>) -> ApiResult<Vec<Photo>> {
    if cleaned.is_empty() {
        return Err(ApiError::field("photo", "missing", "send at least one `photo` part"));
    }
    if cleaned.len() > MAX_PER_NOTE {
        return Err(too_many());
    }
    let (community, user, now) = (caller.actor.community, caller.user.id, state.now());
    let held = state.db.run(move |conn| photos::unattached_of(conn, user)).await?;
    if held + cleaned.len() > MAX_UNATTACHED {
        return Err(ApiError::field(
            "photo",
            "too_many_unattached",
            format!("you have {held} photos not yet attached to an issue; raise the issue or delete some first"),
        ));
    }
    let mut rows = Vec::with_capacity(cleaned.len());
    for c in cleaned {
        let size = u32::try_from(c.bytes.len()).unwrap_or(u32::MAX);
        let files = state.photos.put(&c.hash, c.bytes).await.and(state.photos.put(&c.thumb_hash, c.thumb).await);
        files.map_err(|e| ApiError::Internal(format!("writing a photo file failed: {e}")))?;
        rows.push(Photo {
            id: PhotoId::new(),
            community,
            issue: None,
            version: None,
            content_hash: c.hash,
            thumb_hash: c.thumb_hash,
            media_type: c.media_type,
            width: c.width,
            height: c.height,
            size,
            uploaded_by: user,
            created_at: now,
            public: false,
        });
    }
    let stored = rows.clone();
    state
        .db
        .write(move |conn| {
            for photo in &stored {
                photos::insert(conn, photo)?;
            }
            Ok(())
        })
        .await?;
    Ok(rows)
}

fn too_many() -> ApiError {
    ApiError::field("photos", "too_many", format!("at most {MAX_PER_NOTE} photos go with one note"))
}

/// Checks that `ids` may go with a new note of the caller's: at most six, each an upload
/// of theirs not yet attached. The attaching itself is `photos::attach`, in the note's
/// transaction.
pub async fn check_attachable(state: &AppState, caller: &Caller, ids: &[Uuid]) -> ApiResult<Vec<PhotoId>> {
    let mut ids: Vec<PhotoId> = ids.iter().copied().map(PhotoId).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > MAX_PER_NOTE {
        return Err(too_many());
    }
    if ids.is_empty() {
        return Ok(ids);
    }
    let wanted = ids.clone();
    let found = state.db.run(move |conn| photos::get_many(conn, &wanted)).await?;
    let user = caller.user.id;
    if found.len() != ids.len() || !found.iter().all(|p| p.attachable_by(user)) {
        return Err(ApiError::field(
            "photos",
            "unknown",
            "each of `photos` must be a photo you uploaded and have not yet attached",
        ));
    }
    Ok(ids)
}

/// A photo the caller may see: an attached one if they may see its issue (403 if not), an
/// unattached one only by its uploader (404 for anyone else, who cannot know it exists).
async fn visible(state: &AppState, caller: &Caller, id: PhotoId) -> ApiResult<Photo> {
    let photo = state.db.run(move |conn| photos::get(conn, id)).await.map_err(|e| match e {
        roundtable_store::StoreError::NotFound => no_photo(),
        other => other.into(),
    })?;
    let street_reader;
    let caller = if photo.community == caller.actor.community {
        caller
    } else if photo.issue.is_some() && caller.actor.has_role(Role::Street) {
        // The street office reads the issues of its street's communities, and so the
        // photos on them; anyone else, and any other community, finds nothing here.
        street_reader = super::street::reader(state, caller, photo.community).await.map_err(|_| no_photo())?;
        &street_reader
    } else {
        return Err(no_photo());
    };
    match photo.issue {
        Some(issue) => {
            super::issues::visible(state, caller, issue).await.map_err(|e| match e {
                ApiError::Forbidden(_) => {
                    ApiError::Forbidden("this photo's issue belongs to another compound or organisation".into())
                }
                other => other,
            })?;
        }
        None if photo.uploaded_by == caller.user.id => {}
        None => return Err(no_photo()),
    }
    Ok(photo)
}

/// The photo (or its thumbnail) and its bytes.
pub async fn read(state: &AppState, caller: &Caller, id: PhotoId, thumbnail: bool) -> ApiResult<(Photo, Vec<u8>)> {
    let photo = visible(state, caller, id).await?;
    let hash = if thumbnail { &photo.thumb_hash } else { &photo.content_hash };
    let bytes = state.photos.get(hash).await.map_err(|e| {
        // The row outlived its file: the uploads directory was not restored with the database.
        ApiError::Internal(format!("the file of photo {id} ({hash}) cannot be read: {e}"))
    })?;
    Ok((photo, bytes))
}

/// Marks an attached photo public (the board, Open311) or private again: the secretary
/// or an administrator, who has looked at it. Audited.
pub async fn set_public(state: &AppState, caller: &Caller, id: PhotoId, public: bool) -> ApiResult<Photo> {
    let photo = visible(state, caller, id).await?;
    if !(caller.actor.has_role(Role::Secretary) || caller.actor.has_role(Role::Admin)) {
        return Err(ApiError::Forbidden("only the secretary decides which photos the public sees".into()));
    }
    let Some(issue) = photo.issue else {
        return Err(ApiError::Conflict {
            detail: "a photo not yet attached to an issue cannot be public".into(),
            current: None,
        });
    };
    let action = if public { AuditAction::PhotoPublished } else { AuditAction::PhotoUnpublished };
    let entry = super::audit(state, caller, action, AuditSubject::Issue, issue).with("photo", photo.id);
    state
        .db
        .write(move |conn| {
            photos::set_public(conn, id, public)?;
            roundtable_store::audit::record(conn, &entry)
        })
        .await?;
    Ok(Photo { public, ..photo })
}

/// A public photo (or its thumbnail) for anyone: 404 unless the secretary marked it
/// public and the community's public views are on.
pub async fn read_public(state: &AppState, id: PhotoId, thumbnail: bool) -> ApiResult<(Photo, Vec<u8>)> {
    let found = state.db.run(move |conn| photos::get(conn, id)).await;
    let photo = match found {
        Ok(p) if p.public && p.issue.is_some() && state.config.public.enabled => p,
        Ok(_) | Err(roundtable_store::StoreError::NotFound) => return Err(no_photo()),
        Err(e) => return Err(e.into()),
    };
    let hash = if thumbnail { &photo.thumb_hash } else { &photo.content_hash };
    let bytes = state.photos.get(hash).await.map_err(|e| ApiError::Internal(format!("photo {id} ({hash}): {e}")))?;
    Ok((photo, bytes))
}

/// Deletes a photo: its uploader, or a secretary or administrator. Deleting an attached one
/// is on the audit trail; a file nobody else uses is removed.
pub async fn delete(state: &AppState, caller: &Caller, id: PhotoId) -> ApiResult<()> {
    let photo = visible(state, caller, id).await?;
    let chair = caller.actor.has_role(Role::Secretary) || caller.actor.has_role(Role::Admin);
    if photo.uploaded_by != caller.user.id && !chair {
        return Err(ApiError::Forbidden("only the photo's uploader or the secretary may delete it".into()));
    }
    let entry = photo.issue.map(|issue| {
        super::audit(state, caller, AuditAction::PhotoDeleted, AuditSubject::Issue, issue)
            .with("photo", photo.id)
            .with("version", photo.version.unwrap_or_default())
            .with("uploaded_by", photo.uploaded_by)
            .with("sha256", &photo.content_hash)
    });
    let gone = photo.clone();
    let (content_used, thumb_used) = state
        .db
        .write(move |conn| {
            let used = photos::delete(conn, &gone)?;
            if let Some(entry) = &entry {
                roundtable_store::audit::record(conn, entry)?;
            }
            Ok(used)
        })
        .await?;
    if !content_used {
        state.photos.remove(&photo.content_hash).await;
    }
    if !thumb_used {
        state.photos.remove(&photo.thumb_hash).await;
    }
    tracing::info!(photo = %photo.id, issue = ?photo.issue, "photo deleted");
    Ok(())
}
