namespace OpsAssistant.Core.Sampling;

/// <summary>
/// What a firing alert writes for sampling: a raise of the service it names (<see cref="Raise"/>, once per trigger and
/// service while one is in force, and only under the ceiling of <see cref="MaxFullServices"/> services at
/// <see cref="FullRate"/>), or, when it names no service, a raise of the service its analysis will blame (<see cref="Pending"/>).
/// </summary>
public sealed record AlertSamplingWrite
{
    public SamplingOverride? Raise { get; private init; }

    public double FullRate { get; private init; }

    public int MaxFullServices { get; private init; }

    public PendingSamplingRaise? Pending { get; private init; }

    /// <param name="raise">The override; its <see cref="SamplingOverride.Trigger"/> is what makes it once per alert.</param>
    public static AlertSamplingWrite ForRaise(SamplingOverride raise, double fullRate, int maxFullServices)
    {
        ArgumentNullException.ThrowIfNull(raise);
        return new AlertSamplingWrite { Raise = raise, FullRate = fullRate, MaxFullServices = maxFullServices };
    }

    public static AlertSamplingWrite ForPending(PendingSamplingRaise pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        return new AlertSamplingWrite { Pending = pending };
    }
}

/// <summary>The raise an analysis's completion makes of the service it blames (<see cref="ISamplingOverrideStore.AddPendingRaiseAsync"/>).</summary>
public sealed record PendingSamplingRaise(string AnalysisId, string Trigger, string CreatedBy, DateTimeOffset At);

/// <summary>What an <see cref="AlertSamplingWrite"/> did.</summary>
public enum SamplingWriteOutcome
{
    /// <summary>The override was stored and put its service at the rate (no override in force had).</summary>
    Created,

    /// <summary>The override was stored; its service was already at the rate through another override in force.</summary>
    Joined,

    /// <summary>Not stored: the same trigger already raised the service and that override is in force (a redelivery).</summary>
    InForce,

    /// <summary>Not stored: the ceiling on fully sampled services refused it.</summary>
    CeilingReached,

    /// <summary>The pending raise was stored.</summary>
    PendingAdded,

    /// <summary>Not stored: the analysis already has a pending raise.</summary>
    PendingExisted,
}
