using Microsoft.Extensions.Options;

namespace OpsAssistant.Infrastructure.Baselines;

/// <summary>Checks <c>OpsAssistant:Baselines</c> at start; every message names the configuration key at fault.</summary>
public sealed class BaselineOptionsValidator : IValidateOptions<BaselineOptions>
{
    private const string Prefix = BaselineOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, BaselineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!options.IsStore && !options.IsNone && !options.IsPrometheus && !options.IsTempo)
        {
            failures.Add($"{Prefix}Source must be Store, Prometheus, Tempo or None, not '{options.Source}'.");
        }

        if (options.IsPrometheus)
        {
            ValidatePrometheus(options.Prometheus, failures);
        }

        if (options.IsTempo)
        {
            ValidateRemote(options.Tempo, Prefix + "Tempo:", failures);
        }

        if (options.Window < TimeSpan.FromMinutes(5) || options.Window > TimeSpan.FromDays(30))
        {
            failures.Add($"{Prefix}Window must be between 5 minutes and 30 days.");
        }

        if (options.BucketSize < TimeSpan.FromMinutes(1) || options.BucketSize > options.Window)
        {
            failures.Add($"{Prefix}BucketSize must be at least 1 minute and at most the window ({Prefix}Window).");
        }

        if (options.FlushInterval < TimeSpan.FromMilliseconds(100) || options.FlushInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{Prefix}FlushInterval must be between 100 ms and 10 minutes.");
        }

        if (options.Retention < options.Window || options.Retention > TimeSpan.FromDays(90))
        {
            failures.Add($"{Prefix}Retention must be at least the window ({Prefix}Window) and at most 90 days.");
        }

        if (options.CacheTtl < TimeSpan.Zero || options.CacheTtl > TimeSpan.FromHours(1))
        {
            failures.Add($"{Prefix}CacheTtl must be between 0 (no cache) and 1 hour.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidatePrometheus(PrometheusBaselineOptions options, List<string> failures)
    {
        const string At = Prefix + "Prometheus:";
        ValidateRemote(options, At, failures);
        if (!options.IsTempoFlavor && !string.Equals(options.Flavor, PrometheusBaselineOptions.CollectorFlavor, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{At}Flavor must be {PrometheusBaselineOptions.CollectorFlavor} or {PrometheusBaselineOptions.TempoFlavor}, not '{options.Flavor}'.");
        }

        if (options.DurationUnit is not null && !options.DurationUnit.Equals("Seconds", StringComparison.OrdinalIgnoreCase)
            && !options.DurationUnit.Equals("Milliseconds", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{At}DurationUnit must be Seconds or Milliseconds, not '{options.DurationUnit}'.");
        }

        foreach (var (key, value) in new[]
                 {
                     ("DurationMetric", options.EffectiveDurationMetric), ("CallsMetric", options.EffectiveCallsMetric),
                     ("ServiceLabel", options.EffectiveServiceLabel), ("OperationLabel", options.EffectiveOperationLabel),
                     ("KindLabel", options.EffectiveKindLabel), ("StatusLabel", options.EffectiveStatusLabel),
                 })
        {
            if (!IsPrometheusName(value))
            {
                failures.Add($"{At}{key} must be a Prometheus metric or label name ([a-zA-Z_][a-zA-Z0-9_]*), not '{value}'.");
            }
        }

        if (string.IsNullOrEmpty(options.ErrorStatus))
        {
            failures.Add($"{At}ErrorStatus must not be empty.");
        }
    }

    private static void ValidateRemote(RemoteBaselineOptions options, string at, List<string> failures)
    {
        if (options.Url is null || !options.Url.IsAbsoluteUri || (options.Url.Scheme != Uri.UriSchemeHttp && options.Url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{at}Url must be an absolute http(s) URL.");
        }

        if (options.Timeout < TimeSpan.FromMilliseconds(100) || options.Timeout > TimeSpan.FromMinutes(2))
        {
            failures.Add($"{at}Timeout must be between 100 ms and 2 minutes.");
        }

        if (!string.IsNullOrEmpty(options.Password) && string.IsNullOrEmpty(options.Username))
        {
            failures.Add($"{at}Password needs {at}Username.");
        }
    }

    private static bool IsPrometheusName(string value) =>
        value.Length > 0 && (char.IsAsciiLetter(value[0]) || value[0] == '_') && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
