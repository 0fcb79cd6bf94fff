using System.Reflection;
using NetArchTest.Rules;

namespace OpsAssistant.Server.Tests.Architecture;

/// <summary>
/// The boundaries of docs/architecture.md, checked on the compiled assemblies (references and IL, not file names), so a
/// change that crosses one fails here rather than in review.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Core = typeof(OpsAssistant.Core.Model.Trace).Assembly;
    private static readonly Assembly Infrastructure = typeof(OpsAssistant.Infrastructure.Telemetry.OpsAssistantTelemetry).Assembly;
    private static readonly Assembly Server = typeof(OpsAssistant.Server.Webhooks.WebhookEndpoints).Assembly;

    [Theory]
    [InlineData("Microsoft.AspNetCore")]
    [InlineData("Microsoft.SemanticKernel")]
    [InlineData("Microsoft.Extensions.AI")]
    [InlineData("OpenAI")]
    [InlineData("Npgsql")]
    [InlineData("Microsoft.Data.Sqlite")]
    [InlineData("System.Net.Http")]
    [InlineData("OpsAssistant.Infrastructure")]
    public void Core_DependsOnNoHostLlmDatabaseOrNetwork(string forbidden)
    {
        var result = Types.InAssembly(Core).ShouldNot().HaveDependencyOn(forbidden).GetResult();

        Assert.True(result.IsSuccessful, $"Core types depending on {forbidden}: {Names(result)}");
    }

    /// <summary>
    /// Core may read files (a trace file, an eval case) but never writes, moves or deletes one: reports and stores are
    /// written by the CLI and Infrastructure. Checked on the IL: no call into System.IO.File or Directory's writing methods.
    /// </summary>
    [Fact]
    public void Core_WritesNoFiles()
    {
        string[] writing = ["Create", "CreateText", "WriteAll", "AppendAll", "AppendText", "OpenWrite", "Delete", "Move", "Copy", "Replace", "CreateDirectory", "SetLastWriteTime"];
        using var module = Mono.Cecil.ModuleDefinition.ReadModule(Core.Location);
        var calls = module.GetTypes()
            .SelectMany(t => t.Methods)
            .Where(m => m.HasBody)
            .SelectMany(m => m.Body.Instructions
                .Select(i => i.Operand)
                .OfType<Mono.Cecil.MethodReference>()
                .Where(target => target.DeclaringType.FullName is "System.IO.File" or "System.IO.Directory"
                    && writing.Any(w => target.Name.StartsWith(w, StringComparison.Ordinal)))
                .Select(target => $"{m.DeclaringType.FullName}.{m.Name} -> {target.DeclaringType.Name}.{target.Name}"))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.True(calls.Count == 0, "Core writes files: " + string.Join(", ", calls));
    }

    /// <summary>
    /// Core computes; presentation (HTML pages such as the eval report) lives with whoever shows it, the CLI or the Server.
    /// Checked by name and on the IL: no Core type named *Html*, none using HtmlEncoder, no call to WebUtility.HtmlEncode.
    /// </summary>
    [Fact]
    public void Core_HoldsNoPresentation()
    {
        var named = Core.GetTypes().Where(t => t.Name.Contains("Html", StringComparison.OrdinalIgnoreCase)).Select(t => t.FullName).ToList();
        Assert.True(named.Count == 0, "Core types named for HTML: " + string.Join(", ", named));

        var encoder = Types.InAssembly(Core).ShouldNot().HaveDependencyOn("System.Text.Encodings.Web.HtmlEncoder").GetResult();
        Assert.True(encoder.IsSuccessful, $"Core types using HtmlEncoder: {Names(encoder)}");

        using var module = Mono.Cecil.ModuleDefinition.ReadModule(Core.Location);
        var calls = module.GetTypes()
            .SelectMany(t => t.Methods)
            .Where(m => m.HasBody)
            .Where(m => m.Body.Instructions.Select(i => i.Operand).OfType<Mono.Cecil.MethodReference>()
                .Any(target => target.DeclaringType.FullName == "System.Net.WebUtility" && target.Name.StartsWith("Html", StringComparison.Ordinal)))
            .Select(m => $"{m.DeclaringType.FullName}.{m.Name}")
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.True(calls.Count == 0, "Core methods encoding HTML: " + string.Join(", ", calls));
    }

    [Fact]
    public void Core_AndInfrastructure_ReferenceNoAspNetCoreAssembly()
    {
        foreach (var assembly in new[] { Core, Infrastructure })
        {
            var web = assembly.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)).Select(a => a.Name);
            Assert.Empty(web);
        }
    }

    [Fact]
    public void Infrastructure_DependsOnNoServerType()
    {
        var result = Types.InAssembly(Infrastructure).ShouldNot().HaveDependencyOn("OpsAssistant.Server").GetResult();

        Assert.True(result.IsSuccessful, $"Infrastructure types depending on the Server: {Names(result)}");
    }

    /// <summary>
    /// Semantic Kernel stays behind the LLM layer's tool-calling seam (<c>IToolCallingChat</c>): chat and its tools describe
    /// tools with <c>[ChatTool]</c> and never touch a kernel, plugin or filter.
    /// </summary>
    [Fact]
    public void SemanticKernel_IsUsedOnlyInsideTheLlmLayer()
    {
        var result = Types.InAssembly(Infrastructure)
            .That().DoNotResideInNamespace("OpsAssistant.Infrastructure.Llm")
            .ShouldNot().HaveDependencyOn("Microsoft.SemanticKernel")
            .GetResult();

        var outside = (result.FailingTypeNames ?? []).Select(TopLevel).Distinct(StringComparer.Ordinal).ToList();
        Assert.True(outside.Count == 0, "Types outside Infrastructure/Llm using Semantic Kernel: " + string.Join(", ", outside));
    }

    /// <summary>
    /// The Server's folders (namespaces) form a graph without two-way edges: an endpoint folder may use another (webhooks
    /// hand alerts to sampling), but what follows an analysis subscribes to the use-case room's events instead of being
    /// called back, so no two folders need each other.
    /// </summary>
    [Fact]
    public void ServerFolders_NeverReferenceEachOtherBothWays()
    {
        const string Root = "OpsAssistant.Server.";
        var folders = Server.GetTypes()
            .Select(t => t.Namespace)
            .Where(n => n is not null && n.StartsWith(Root, StringComparison.Ordinal))
            .Select(n => n![Root.Length..].Split('.')[0])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("Webhooks", folders);

        var uses = folders.ToDictionary(f => f, f => folders.Where(g => g != f && Depends(Root + f, Root + g)).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var cycles = folders.SelectMany(a => uses[a].Where(b => string.CompareOrdinal(a, b) < 0 && uses[b].Contains(a)).Select(b => $"{a} <-> {b}")).ToList();

        Assert.True(cycles.Count == 0, "Server folders referencing each other both ways: " + string.Join(", ", cycles));
    }

    /// <summary>Security authenticates callers and checks scopes; which routes a feature opens is the feature's own rule.</summary>
    [Theory]
    [InlineData("OpsAssistant.Server.Sampling")]
    [InlineData("OpsAssistant.Infrastructure.Sampling")]
    public void ServerSecurity_KnowsNothingOfSampling(string feature) =>
        Assert.False(Depends("OpsAssistant.Server.Security", feature), $"OpsAssistant.Server.Security depends on {feature}");

    private static bool Depends(string from, string to) =>
        !Types.InAssembly(Server).That().ResideInNamespace(from).ShouldNot().HaveDependencyOn(to).GetResult().IsSuccessful;

    private static string TopLevel(string typeName) => typeName.Split('+', '/')[0];

    private static string Names(NetArchTest.Rules.TestResult result) => string.Join(", ", result.FailingTypeNames ?? []);
}
