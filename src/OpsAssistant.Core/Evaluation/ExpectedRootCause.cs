namespace OpsAssistant.Core.Evaluation;

/// <summary>The labelled root cause of an eval case (<c>expected.json</c> → <c>rootCause</c>). <see cref="Span"/> and <see cref="Kind"/> are optional.</summary>
public sealed record ExpectedRootCause(string Service, string? Span = null, string? Kind = null);
