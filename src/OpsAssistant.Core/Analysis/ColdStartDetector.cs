using OpsAssistant.Core.Analysis.Findings;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Analysis;

/// <summary>
/// Serverless cold starts in the shapes platforms emit: Function Compute (<c>ColdStart</c> → <c>PrepareCode</c>,
/// <c>RuntimeInitialization</c>, plus <c>Initializer</c>), AWS Lambda/X-Ray (<c>Initialization</c> beside <c>Invocation</c>
/// and <c>Overhead</c>), and OpenTelemetry FaaS (<c>faas.coldstart=true</c>: the time before the handler's first child).
/// </summary>
internal static class ColdStartDetector
{
    private static readonly string[] FunctionComputePhases = ["PrepareCode", "RuntimeInitialization", "Initializer"];

    public static ColdStartFinding? Detect(SpanTree tree, Func<int, SpanRef> refOf)
    {
        var segments = new List<ColdStartSegment>();
        string? platform = null;
        var coldStartSpan = -1;
        for (var i = 0; i < tree.Count; i++)
        {
            var name = tree[i].Name;
            if (FunctionComputePhases.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                platform = "Function Compute";
                segments.Add(new ColdStartSegment(Canonical(name), refOf(i), tree.DurationMs(i)));
            }
            else if (name.Equals("ColdStart", StringComparison.OrdinalIgnoreCase))
            {
                platform = "Function Compute";
                coldStartSpan = i;
            }
            else if (name.Equals("Initialization", StringComparison.OrdinalIgnoreCase) && HasLambdaSiblings(tree, i))
            {
                platform ??= "AWS Lambda";
                segments.Add(new ColdStartSegment("Initialization", refOf(i), tree.DurationMs(i)));
            }
        }

        if (segments.Count == 0 && coldStartSpan >= 0)
        {
            segments.Add(new ColdStartSegment("ColdStart", refOf(coldStartSpan), tree.DurationMs(coldStartSpan)));
        }

        if (segments.Count == 0)
        {
            return FaasColdStart(tree, refOf);
        }

        var dominant = segments.MaxBy(s => s.DurationMs)!;
        var total = coldStartSpan >= 0
            ? tree.DurationMs(coldStartSpan) + segments.Where(s => s.Phase == "Initializer" && !IsUnder(tree, tree.Index[s.Span.SpanId], coldStartSpan)).Sum(s => s.DurationMs)
            : segments.Sum(s => s.DurationMs);
        var function = tree.Root;
        return new ColdStartFinding(platform!, refOf(function), total, Share(tree, total), segments, dominant);
    }

    private static ColdStartFinding? FaasColdStart(SpanTree tree, Func<int, SpanRef> refOf)
    {
        for (var i = 0; i < tree.Count; i++)
        {
            if (AttributeValues.FindBool(tree[i].AttributeSpan, "faas.coldstart") != true && !IsColdStartAnnotation(tree[i]))
            {
                continue;
            }

            // The initialisation is the time before the handler did anything observable: the gap to the first child.
            var kids = tree.Children(i);
            var firstChild = kids.Length == 0 ? tree.End[i] : tree.Start[kids[0]];
            var initMs = (firstChild - tree.Start[i]) / 1e6;
            var segment = new ColdStartSegment("faas", refOf(i), initMs);
            return new ColdStartFinding("OpenTelemetry FaaS", refOf(i), initMs, Share(tree, initMs), [segment], segment);
        }

        return null;
    }

    private static bool IsColdStartAnnotation(Span span) =>
        AttributeValues.FindBool(span.AttributeSpan, "ColdStart") == true || AttributeValues.FindBool(span.AttributeSpan, "aws.lambda.cold_start") == true;

    private static bool HasLambdaSiblings(SpanTree tree, int i)
    {
        var p = tree.Parent[i];
        if (p < 0)
        {
            return false;
        }

        foreach (var s in tree.Children(p))
        {
            if (tree[s].Name.Equals("Invocation", StringComparison.OrdinalIgnoreCase) || tree[s].Name.Equals("Overhead", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return AttributeValues.FindBool(tree[p].AttributeSpan, "ColdStart") == true || tree[p].Attributes.Any(a => a.Key.StartsWith("faas.", StringComparison.Ordinal) || a.Key.StartsWith("aws.lambda", StringComparison.Ordinal));
    }

    private static bool IsUnder(SpanTree tree, int i, int ancestor) => tree.Ancestors(i).Contains(ancestor);

    private static string Canonical(string name) => FunctionComputePhases.First(p => p.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static double Share(SpanTree tree, double ms) => tree.Duration(tree.Root) <= 0 ? 0 : Math.Min(100, ms / tree.DurationMs(tree.Root) * 100);
}
