namespace OpsAssistant.Server.Tests;

/// <summary>A clock tests move by hand, so expiry is tested without waiting.</summary>
public sealed class MutableClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
