namespace OpsAssistant.Server.Notifications;

/// <summary>The body posted to <see cref="NotificationOptions.Url"/>.</summary>
internal enum NotificationFormat
{
    /// <summary>A JSON document with the outcome and the top hypotheses, for any receiver.</summary>
    Json,

    /// <summary>Slack's incoming-webhook <c>{"text": …}</c> (also accepted by Mattermost and Rocket.Chat).</summary>
    Slack,
}
