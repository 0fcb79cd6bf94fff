using Microsoft.Extensions.Options;

namespace OpsAssistant.Infrastructure.Sampling;

/// <summary>Checks <c>OpsAssistant:Sampling</c> at start; every message names the configuration key at fault.</summary>
public sealed class SamplingOptionsValidator : IValidateOptions<SamplingOptions>
{
    private const string Prefix = SamplingOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckRate(failures, Prefix + "DefaultRate", options.DefaultRate);
        CheckRate(failures, Prefix + "IncidentRate", options.IncidentRate);
        if (options.IncidentRate <= 0)
        {
            failures.Add($"{Prefix}IncidentRate must be above 0: it is the rate an alert raises its service to.");
        }

        if (!(options.LowerBoundTracesPerSecond >= 0 && options.LowerBoundTracesPerSecond <= 1000))
        {
            failures.Add($"{Prefix}LowerBoundTracesPerSecond must be between 0 and 1000.");
        }

        if (options.IncidentTtl < TimeSpan.FromSeconds(1) || options.IncidentTtl > TimeSpan.FromDays(7))
        {
            failures.Add($"{Prefix}IncidentTtl must be between 1 second and 7 days.");
        }

        if (options.MaxOverrideTtl < TimeSpan.FromSeconds(1) || options.MaxOverrideTtl > TimeSpan.FromDays(30))
        {
            failures.Add($"{Prefix}MaxOverrideTtl must be between 1 second and 30 days.");
        }

        if (options.MaxFullServices is < 1 or > 1000)
        {
            failures.Add($"{Prefix}MaxFullServices must be between 1 and 1000.");
        }

        foreach (var (service, settings) in options.Services)
        {
            var key = $"{Prefix}Services:{service}";
            if (!SamplingNames.IsValidService(service))
            {
                failures.Add($"{key} is not a valid service name: {SamplingNames.ServiceRule}");
            }

            if (settings.Rate is { } rate)
            {
                CheckRate(failures, key + ":Rate", rate);
            }

            foreach (var (operation, operationRate) in settings.Operations)
            {
                CheckRate(failures, $"{key}:Operations:{operation}", operationRate);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRate(List<string> failures, string key, double rate)
    {
        if (!SamplingNames.IsValidRate(rate))
        {
            failures.Add($"{key} must be a probability between 0 and 1.");
        }
    }
}
