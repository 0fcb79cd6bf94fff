namespace OpsAssistant.Infrastructure.Chat;

/// <summary>What an operator asked of sampling in a chat message.</summary>
public enum SamplingIntentKind
{
    /// <summary>"sample checkout fully for 30 minutes"</summary>
    Set,

    /// <summary>"stop sampling checkout"</summary>
    Stop,

    /// <summary>"show sampling overrides"</summary>
    Show,
}
