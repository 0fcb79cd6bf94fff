using OpsAssistant.Infrastructure.Mcp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The Model Context Protocol server at <c>/mcp</c> (streamable HTTP). Stateless, so any replica answers any request and
/// nothing is kept between calls; the API key rule of <c>/api</c> applies.
/// </summary>
internal static class McpEndpoints
{
    public const string Path = "/mcp";

    public static IServiceCollection AddOpsAssistantMcp(this IServiceCollection services)
    {
        services.AddMcpServer(McpServerIdentity.Configure)
            .WithHttpTransport(options => options.Stateless = true)
            .WithTools<OpsAssistantMcpTools>()
            .WithTools<IncidentMcpTools>()
            .WithTools<BaselineMcpTools>();
        return services;
    }

    public static IEndpointRouteBuilder MapOpsAssistantMcp(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMcp(Path).WithTags("MCP");
        return endpoints;
    }
}
