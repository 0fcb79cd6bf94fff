namespace OpsAssistant.Server.Notifications;

/// <summary>The body posted to <see cref="NotificationOptions.Url"/>.</summary>
internal enum NotificationFormat
{
    /// <summary>A JSON document with the outcome and the top hypotheses, for any receiver.</summary>
    Json,

    /// <summary>Slack's incoming-webhook <c>{"text": …}</c> (also accepted by Mattermost and Rocket.Chat).</summary>
    Slack,

    /// <summary>
    /// A Microsoft Teams Workflows webhook ("When a Teams webhook request is received"): a message whose one attachment is
    /// an Adaptive Card, posted as plain JSON.
    /// </summary>
    Teams,
}
