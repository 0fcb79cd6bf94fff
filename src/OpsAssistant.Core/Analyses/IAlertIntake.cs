using OpsAssistant.Core.Sampling;

namespace OpsAssistant.Core.Analyses;

/// <summary>
/// Stores what one alert delivery takes in, all or nothing: the analyses its firing alerts queue and the sampling writes
/// they make. Concurrent deliveries share transactions (group commit); a delivery is answered once its transaction committed,
/// so an accepted alert survives a crash, and a failure leaves nothing of the delivery behind for the sender's retry to trip on.
/// </summary>
public interface IAlertIntake
{
    Task<AlertIntakeResult> AcceptAsync(AlertIntake intake, CancellationToken cancellationToken = default);
}

/// <summary>One delivery's writes: analyses inserted unless their ID exists (a redelivery), then sampling writes in order.</summary>
public sealed record AlertIntake(IReadOnlyList<AnalysisRecord> Analyses, IReadOnlyList<AlertSamplingWrite> Sampling);

/// <summary>Per analysis, whether it was inserted (false: a redelivery found it); per sampling write, what it did, in order.</summary>
public sealed record AlertIntakeResult(IReadOnlyList<bool> Inserted, IReadOnlyList<SamplingWriteOutcome> Sampling);
