using Microsoft.Extensions.Options;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>Cross-field checks that data annotations cannot express; every message names the configuration key at fault.</summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    private const string Prefix = LlmOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Provider))
        {
            failures.Add($"{Prefix}Provider must be one of None, AzureOpenAI, OpenAI, OpenAICompatible.");
        }

        if (options.Provider is LlmProvider.AzureOpenAI or LlmProvider.OpenAICompatible && options.Endpoint is null)
        {
            failures.Add($"{Prefix}Endpoint is required when {Prefix}Provider is {options.Provider}.");
        }

        if (options.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            failures.Add($"{Prefix}Endpoint must be an absolute http(s) URL.");
        }

        if (options.IsEnabled && string.IsNullOrWhiteSpace(options.ModelOrDeployment))
        {
            failures.Add(options.Provider == LlmProvider.AzureOpenAI
                ? $"{Prefix}Deployment (or {Prefix}Model) is required when {Prefix}Provider is AzureOpenAI."
                : $"{Prefix}Model is required when {Prefix}Provider is {options.Provider}.");
        }

        if (options.Provider is LlmProvider.AzureOpenAI or LlmProvider.OpenAI && string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add($"{Prefix}ApiKey is required when {Prefix}Provider is {options.Provider} (set it with the environment variable OpsAssistant__Llm__ApiKey).");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{Prefix}Timeout must be between 00:00:00.001 and 00:10:00.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero)
        {
            failures.Add($"{Prefix}RetryBaseDelay must not be negative.");
        }

        if (options.CacheTtl < TimeSpan.Zero)
        {
            failures.Add($"{Prefix}CacheTtl must not be negative.");
        }

        foreach (var (model, price) in options.Prices)
        {
            if (price.InputPerMillion < 0 || price.OutputPerMillion < 0)
            {
                failures.Add($"{Prefix}Prices:{model} must not be negative.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
