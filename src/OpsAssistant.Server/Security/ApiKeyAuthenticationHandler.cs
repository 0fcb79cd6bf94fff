using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OpsAssistant.Server.Security;

/// <summary>
/// Authenticates a request by the API key it presents (<c>X-Api-Key</c> or <c>Authorization: Bearer</c>): a key of
/// <c>OpsAssistant:Security:ApiKeys</c> grants every scope, one of <c>OpsAssistant:Security:Keys</c> the scopes listed
/// with it. Keys are compared as SHA-256 digests in constant time, every key every time, so timing reveals nothing. The
/// principal carries the scopes and a fingerprint of the key (for audits), never the key.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<SecurityOptions> security,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string ScopeClaim = "scope";
    public const string FingerprintClaim = "key_fingerprint";

    /// <summary>The key a request presents, as <c>X-Api-Key</c> or a bearer token, or null.</summary>
    internal static string? PresentedKey(HttpRequest request) =>
        PresentedKey(request.Headers[HeaderName].FirstOrDefault(), request.Headers.Authorization.FirstOrDefault());

    /// <summary>The key from an API-key header, else from a bearer authorization value; the same rule on HTTP and gRPC.</summary>
    internal static string? PresentedKey(string? apiKey, string? authorization)
    {
        if (string.IsNullOrEmpty(apiKey) && authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            apiKey = authorization["Bearer ".Length..].Trim();
        }

        return string.IsNullOrEmpty(apiKey) ? null : apiKey;
    }

    /// <summary>The first 8 hex digits of the key's SHA-256: tells keys apart in an audit without storing a secret.</summary>
    internal static string Fingerprint(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 4));

    /// <summary>
    /// The scopes a presented key grants, or null when it is none of the configured keys. A key of <c>ApiKeys</c> grants
    /// every scope; a key of <c>Keys</c> its own. Every key is compared, in constant time, whatever the outcome.
    /// </summary>
    internal static IReadOnlyList<string>? ScopesOf(SecurityOptions settings, string presented)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        IEnumerable<string>? scopes = null;
        foreach (var key in settings.ApiKeys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, SHA256.HashData(Encoding.UTF8.GetBytes(key))))
            {
                scopes = ApiScopes.All;
            }
        }

        foreach (var key in settings.Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, SHA256.HashData(Encoding.UTF8.GetBytes(key.Key))))
            {
                scopes = (scopes ?? []).Concat(key.Scopes.Select(s => s.Trim().ToLowerInvariant()));
            }
        }

        return scopes?.Distinct(StringComparer.Ordinal).ToList();
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var scopes = ScopesOf(security.CurrentValue, presented);
        if (scopes is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not one of the configured keys."));
        }

        var claims = scopes.Select(s => new Claim(ScopeClaim, s)).Append(new Claim(FingerprintClaim, Fingerprint(presented)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "API key required",
                Detail = $"Send one of the keys configured in {SecurityOptions.SectionName}:ApiKeys or {SecurityOptions.SectionName}:Keys " +
                    $"as '{HeaderName}: <key>' or 'Authorization: Bearer <key>'.",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Scope missing",
                Detail = $"This key's scopes do not cover {Request.Method} {Request.Path}: ingest sends spans, read reads traces and analyses, " +
                    $"operate chats and changes sampling ({SecurityOptions.SectionName}:Keys).",
            },
        });
    }
}
