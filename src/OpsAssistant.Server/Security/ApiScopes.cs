namespace OpsAssistant.Server.Security;

/// <summary>
/// What a key may do, and the authorization policy of the same name that checks it: <c>ingest</c> sends spans
/// (<c>POST /v1/traces</c>), <c>read</c> reads traces, analyses and the sampling audit and runs analyses, <c>operate</c>
/// chats with the assistant (which can change sampling) and creates or ends sampling overrides.
/// </summary>
internal static class ApiScopes
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Operate = "operate";

    /// <summary>The policy of strategy reads: anonymous while <c>OpsAssistant:Sampling:AllowAnonymousStrategies</c>, else <see cref="Read"/>.</summary>
    public const string Strategies = "strategies";

    public static IReadOnlyList<string> All { get; } = [Ingest, Read, Operate];
}
