using Microsoft.Extensions.Options;

namespace OpsAssistant.Infrastructure.Storage;

/// <summary>Fails start-up on a storage configuration that cannot work, naming the configuration key at fault.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        if (!options.IsSqlite && !options.IsPostgres)
        {
            failures.Add($"{StorageOptions.SectionName}:Provider must be '{StorageOptions.SqliteProvider}' or '{StorageOptions.PostgresProvider}', not '{options.Provider}'.");
        }

        if (options.IsPostgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{StorageOptions.SectionName}:ConnectionString is required when {StorageOptions.SectionName}:Provider is '{StorageOptions.PostgresProvider}'.");
        }

        if (options.IsSqlite && string.IsNullOrWhiteSpace(options.ConnectionString) && string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add($"{StorageOptions.SectionName}:Path must name the SQLite database file when no {StorageOptions.SectionName}:ConnectionString is given.");
        }

        if (options.TraceCacheSpans < 0)
        {
            failures.Add($"{StorageOptions.SectionName}:TraceCacheSpans must be 0 (no cache) or more, not {options.TraceCacheSpans}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
