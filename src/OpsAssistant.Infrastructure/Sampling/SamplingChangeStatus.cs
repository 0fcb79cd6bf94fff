namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>What became of a requested sampling override.</summary>
public enum SamplingChangeStatus
{
    Created,

    /// <summary>A field is malformed; <see cref="SamplingChange.Field"/> names it.</summary>
    Invalid,

    /// <summary><see cref="SamplingOptions.MaxFullServices"/> services are already fully sampled.</summary>
    CeilingReached,
}
