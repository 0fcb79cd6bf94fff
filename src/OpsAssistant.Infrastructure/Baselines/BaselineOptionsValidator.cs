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
        if (!options.IsStore && !options.IsNone)
        {
            failures.Add($"{Prefix}Source must be Store or None, not '{options.Source}'.");
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
}
