using OpsAssistant.Server.Webhooks;

namespace OpsAssistant.Server.Notifications;

/// <summary>Raised when a finished analysis has a notification to deliver.</summary>
internal sealed class NotificationSignal : WorkSignal;
