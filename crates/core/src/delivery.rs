//! Where a notification goes and how far it got: the channels besides mail, whom each
//! notice is for, and a delivery's status in the outbox.

use crate::meeting::MeetingNotice;
use crate::names::named_enum;
use crate::workflow::Effect;

named_enum! {
    /// A notification's delivery: waiting (or retrying), delivered, or given up on.
    pub enum DeliveryStatus: "delivery status" {
        Pending = "pending",
        Sent = "sent",
        /// Failed too often; an administrator may retry it.
        Dead = "dead",
    }
}

named_enum! {
    /// A way to reach a group or a person besides mail.
    pub enum ChannelKind: "channel kind" {
        /// A WeCom (企业微信) group robot: its webhook URL holds the key.
        WeCom = "wecom",
        /// A DingTalk (钉钉) custom robot, signing each message with its secret.
        DingTalk = "dingtalk",
        /// An integrator's URL: a JSON body signed with HMAC-SHA256 over timestamp and body.
        Webhook = "webhook",
    }
}

impl ChannelKind {
    /// Group robots accept only so many messages a minute; webhooks are the receiver's
    /// business.
    pub fn is_robot(self) -> bool {
        matches!(self, ChannelKind::WeCom | ChannelKind::DingTalk)
    }
}

/// Whom a notice is for: the parties whose channels receive a copy. The dispatcher works
/// out mail addresses from the same parties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// The organisation responsible when it happened.
    Responsible,
    /// The organisation responsible before a reassignment.
    PreviousResponsible,
    /// The person who raised the issue.
    Raiser,
    /// The community's secretaries.
    Secretaries,
    /// The owners' supervisory committee.
    Supervisors,
    /// The organisation a meeting notice names (each gets its own).
    NamedOrganisation,
}

impl Effect {
    /// Who hears of this effect; internal effects and flags reach nobody.
    pub fn audiences(self) -> &'static [Audience] {
        use Audience::*;
        match self {
            Effect::NotifyResponsible | Effect::RemindResponsible => &[Responsible],
            Effect::NotifyPreviousResponsible => &[PreviousResponsible],
            Effect::NotifyRaiser | Effect::RequestVerification | Effect::RemindRaiser => &[Raiser],
            Effect::NotifySecretary | Effect::RemindSecretary => &[Secretaries],
            Effect::NotifySupervisors => &[Supervisors],
            Effect::Escalate => &[Responsible, Secretaries, Supervisors],
            Effect::FlagOverdue
            | Effect::RecordReopen
            | Effect::RecordPartlyFixed
            | Effect::ClearCommitment
            | Effect::RequestExtension
            | Effect::RecordExtension
            | Effect::ClearExtensionRequest
            | Effect::RecordProgress
            | Effect::RequestReturn
            | Effect::ClearReturnRequest => &[],
        }
    }
}

impl crate::notice::OrgNotice {
    /// Each organisation its own.
    pub fn audiences(self) -> &'static [Audience] {
        &[Audience::NamedOrganisation]
    }
}

impl MeetingNotice {
    /// A drafted agenda is the secretaries' to check, a meeting left open theirs to close;
    /// the rest go to each organisation.
    pub fn audiences(self) -> &'static [Audience] {
        match self {
            MeetingNotice::AgendaDrafted
            | MeetingNotice::LeftOpen
            | MeetingNotice::CorrectionAsked
            | MeetingNotice::MinutesDue => &[Audience::Secretaries],
            _ => &[Audience::NamedOrganisation],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_reaches_someone_and_internal_effects_nobody() {
        for effect in Effect::ALL {
            assert_eq!(
                effect.audiences().is_empty(),
                effect.is_internal() || *effect == Effect::FlagOverdue,
                "{effect}"
            );
        }
        assert_eq!(Effect::Escalate.audiences(), [Audience::Responsible, Audience::Secretaries, Audience::Supervisors]);
        assert_eq!(MeetingNotice::AgendaDrafted.audiences(), [Audience::Secretaries]);
        assert_eq!(MeetingNotice::LeftOpen.audiences(), [Audience::Secretaries]);
        assert_eq!(MeetingNotice::CorrectionAsked.audiences(), [Audience::Secretaries]);
        assert_eq!(MeetingNotice::MinutesDue.audiences(), [Audience::Secretaries]);
        assert_eq!(crate::notice::OrgNotice::WeeklySummary.audiences(), [Audience::NamedOrganisation]);
        assert_eq!(MeetingNotice::MinutesPublished.audiences(), [Audience::NamedOrganisation]);
        assert_eq!(MeetingNotice::CorrectionAnswered.audiences(), [Audience::NamedOrganisation]);
        assert!(ChannelKind::WeCom.is_robot() && !ChannelKind::Webhook.is_robot());
    }
}
