using Microsoft.Extensions.Options;

namespace OpsAssistant.Infrastructure.Sources;

/// <summary>Fails start-up on a trace-source configuration that cannot work, naming the key at fault.</summary>
internal sealed class TraceSourceOptionsValidator : IValidateOptions<TraceSourceOptions>
{
    private const string Section = TraceSourceOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TraceSourceOptions options)
    {
        var failures = new List<string>();
        var kind = TraceSourceKinds.Normalize(options.Kind);
        if (kind is null)
        {
            failures.Add($"{Section}:Kind must be one of {string.Join(", ", TraceSourceKinds.All)}, not '{options.Kind}'.");
        }
        else if (TraceSourceKinds.IsHttp(kind))
        {
            if (options.Url is null)
            {
                failures.Add($"{Section}:Url is required when {Section}:Kind is {kind}.");
            }
            else if (!options.Url.IsAbsoluteUri || (options.Url.Scheme != Uri.UriSchemeHttp && options.Url.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"{Section}:Url must be an absolute http(s) URL, not '{options.Url}'.");
            }
        }
        else if (kind == TraceSourceKinds.Files)
        {
            if (string.IsNullOrWhiteSpace(options.Path))
            {
                failures.Add($"{Section}:Path is required when {Section}:Kind is Files.");
            }
            else if (!Directory.Exists(options.Path) && !File.Exists(options.Path))
            {
                failures.Add($"{Section}:Path '{options.Path}' is neither a directory nor a file.");
            }
        }

        if (!string.Equals(options.JaegerApi, "V1", StringComparison.OrdinalIgnoreCase) && !string.Equals(options.JaegerApi, "V3", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{Section}:JaegerApi must be V1 or V3, not '{options.JaegerApi}'.");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero || options.Timeout < options.AttemptTimeout)
        {
            failures.Add($"{Section}:AttemptTimeout must be positive and no longer than {Section}:Timeout.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"{Section}:MaxRetries must be between 0 and 10.");
        }

        ValidateCredentials(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Names the key at fault, never its value: these are secrets.</summary>
    private static void ValidateCredentials(TraceSourceOptions options, List<string> failures)
    {
        var basic = !string.IsNullOrEmpty(options.Username) || !string.IsNullOrEmpty(options.Password);
        if (basic && (string.IsNullOrEmpty(options.Username) || options.Password is null))
        {
            failures.Add($"{Section}:Username and {Section}:Password go together (HTTP basic authentication).");
        }

        if (basic && !string.IsNullOrEmpty(options.BearerToken))
        {
            failures.Add($"{Section}:BearerToken and {Section}:Username/Password both set an Authorization header; set one.");
        }

        if (options.Username?.Contains(':', StringComparison.Ordinal) == true)
        {
            failures.Add($"{Section}:Username cannot contain ':' (HTTP basic authentication separates it from the password with one).");
        }

        foreach (var (key, value) in new[] { ("BearerToken", options.BearerToken), ("Username", options.Username), ("Password", options.Password), ("OrgId", options.OrgId) })
        {
            if (value is not null && value.Any(char.IsControl))
            {
                failures.Add($"{Section}:{key} contains a control character (a line break pasted with it?).");
            }
        }

        foreach (var (header, value) in options.Headers)
        {
            if (header.Length == 0 || !header.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))))
            {
                failures.Add($"{Section}:Headers:{header} is not a valid HTTP header name.");
            }
            else if (value.Any(char.IsControl))
            {
                failures.Add($"{Section}:Headers:{header} contains a control character (a line break pasted with it?).");
            }
            else if ((header.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && (basic || !string.IsNullOrEmpty(options.BearerToken)))
                || (header.Equals("X-Scope-OrgID", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(options.OrgId)))
            {
                failures.Add($"{Section}:Headers:{header} repeats a header another {Section} key already sets; set one.");
            }
        }
    }
}
