using System.ComponentModel.DataAnnotations;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary><c>OpsAssistant:Chat</c>: limits on the assistant's tool use and conversation memory.</summary>
public sealed class ChatOptions
{
    public const string SectionName = "OpsAssistant:Chat";

    /// <summary>Rounds of tool calls the model may make for one message before it must answer.</summary>
    [Range(1, 20)]
    public int MaxToolSteps { get; set; } = 5;

    /// <summary>Earlier turns sent back to the model with each message.</summary>
    [Range(0, 100)]
    public int HistoryTurns { get; set; } = 12;

    [Range(1, 20_000)]
    public int MaxMessageLength { get; set; } = 4000;
}
