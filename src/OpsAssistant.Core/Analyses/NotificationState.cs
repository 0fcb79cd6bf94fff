namespace OpsAssistant.Core.Analyses;

/// <summary>Where the notification of a finished alert analysis stands.</summary>
public enum NotificationState
{
    Pending,
    Sending,
    Sent,
    Failed,
}
