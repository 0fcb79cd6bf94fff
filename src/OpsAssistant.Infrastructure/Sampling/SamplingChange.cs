using OpsAssistant.Core.Sampling;

namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>The outcome of <see cref="SamplingOverrideService.SetAsync"/>: the override made, or why none was.</summary>
public sealed record SamplingChange(SamplingChangeStatus Status, SamplingOverride? Override, string? Field, string? Message)
{
    public static SamplingChange Invalid(string field, string message) => new(SamplingChangeStatus.Invalid, null, field, message);
}
