using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OpsAssistant.Server.Security;

/// <summary>
/// Refuses a configuration that would answer anyone: an address beyond loopback among the configured URLs, no API keys
/// or no webhook credentials, and <c>AllowAnonymous</c> not set. It validates <see cref="SecurityOptions"/>, so the refusal
/// comes with every other configuration error, before anything listens, naming the keys to set.
/// </summary>
internal sealed partial class ExposureGuard(IConfiguration configuration, ILogger<ExposureGuard> logger) : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var exposed = ConfiguredUrls(configuration).Where(u => !IsLoopback(u)).ToList();
        var missing = new List<string>();
        if (!options.HasKeys)
        {
            missing.Add($"{SecurityOptions.SectionName}:ApiKeys");
        }

        // The webhooks take their own credentials; open, anyone could queue analyses (and spend LLM tokens).
        if (string.IsNullOrEmpty(options.WebhookToken) && string.IsNullOrEmpty(options.WebhookHmacSecret))
        {
            missing.Add($"{SecurityOptions.SectionName}:WebhookToken or {SecurityOptions.SectionName}:WebhookHmacSecret");
        }

        if (exposed.Count > 0 && configuration["AllowedHosts"] == OpsAssistantHostExtensions.LoopbackHosts)
        {
            LogLoopbackHostsOnly(logger, string.Join(", ", exposed), OpsAssistantHostExtensions.LoopbackHosts);
        }

        if (options.HasKeys && string.IsNullOrEmpty(options.WebhookToken) && string.IsNullOrEmpty(options.WebhookHmacSecret))
        {
            LogWebhooksClosed(logger, $"{SecurityOptions.SectionName}:ApiKeys", $"{SecurityOptions.SectionName}:WebhookToken", $"{SecurityOptions.SectionName}:WebhookHmacSecret");
        }

        if (exposed.Count == 0 || missing.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.AllowAnonymous)
        {
            LogAnonymous(logger, string.Join(", ", exposed), string.Join(" and ", missing), $"{SecurityOptions.SectionName}:AllowAnonymous");
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(
            $"Refusing to serve {string.Join(", ", exposed)} without authentication: set {string.Join(", and ", missing)}, " +
            $"or {SecurityOptions.SectionName}:AllowAnonymous=true when something in front of the service authenticates callers.");
    }

    internal static IEnumerable<string> ConfiguredUrls(IConfiguration configuration)
    {
        foreach (var url in (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return url;
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                yield return url;
            }
        }

        // Bare ports (ASPNETCORE_HTTP_PORTS) bind every interface.
        foreach (var key in new[] { "http_ports", "https_ports" })
        {
            foreach (var port in (configuration[key] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                yield return $"http://*:{port}";
            }
        }
    }

    internal static bool IsLoopback(string url)
    {
        // Kestrel accepts wildcards that Uri cannot parse ("http://*:80", "http://+:80"): those bind everything.
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = rest.StartsWith('[') ? rest[..(rest.IndexOf(']') + 1)] : rest.Split(':', '/')[0];
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Serving {Urls} without {Missing} because {Key} is true")]
    private static partial void LogAnonymous(ILogger logger, string urls, string missing, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening on {Urls} but answering only requests for {Hosts}: set AllowedHosts to the names clients use")]
    private static partial void LogLoopbackHostsOnly(ILogger logger, string urls, string hosts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ApiKeys} is set but neither {Token} nor {Secret}: the alert webhooks refuse every delivery until one is")]
    private static partial void LogWebhooksClosed(ILogger logger, string apiKeys, string token, string secret);
}
