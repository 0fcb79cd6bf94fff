using Microsoft.Extensions.Options;
using OpsAssistant.Server.Ingest;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.GrpcServices;

/// <summary>
/// Fails the start on a gRPC address the service cannot or must not listen on, naming the key: one it cannot parse, or one
/// beyond loopback without API keys (the HTTP port's rule) unless <c>OpsAssistant:Security:AllowAnonymous</c> is set.
/// </summary>
internal sealed class GrpcUrlValidator(IOptions<SecurityOptions> security) : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.GrpcUrl))
        {
            return ValidateOptionsResult.Success;
        }

        if (GrpcListenAddress.TryParse(options.GrpcUrl, out var error) is not { } listen)
        {
            return ValidateOptionsResult.Fail(error!);
        }

        var keys = security.Value;
        return listen.IsLoopback || keys.HasKeys || keys.AllowAnonymous
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Refusing to serve gRPC on {options.GrpcUrl} ({GrpcListenAddress.ConfigurationKey}) without authentication: set {SecurityOptions.SectionName}:ApiKeys or {SecurityOptions.SectionName}:Keys, " +
                $"or {SecurityOptions.SectionName}:AllowAnonymous=true when something in front of the service authenticates callers.");
    }
}
