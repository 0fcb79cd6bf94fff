using OpsAssistant.Infrastructure.Analyses;

namespace OpsAssistant.Server.Notifications;

/// <summary>Raised when a finished analysis has a notification to deliver.</summary>
internal sealed class NotificationSignal : WorkSignal;
