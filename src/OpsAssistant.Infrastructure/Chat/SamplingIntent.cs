namespace OpsAssistant.Infrastructure.Chat;

/// <summary>A sampling request read from a chat message; <see cref="Ttl"/> null takes the configured incident TTL.</summary>
public sealed record SamplingIntent(SamplingIntentKind Kind, string? Service = null, double? Rate = null, TimeSpan? Ttl = null);
