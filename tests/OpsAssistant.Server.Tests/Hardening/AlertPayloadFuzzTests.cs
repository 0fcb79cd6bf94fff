using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpsAssistant.Core.Tests.Hardening;
using OpsAssistant.Server.Webhooks;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// Both webhook payload shapes (Alertmanager v4, Grafana unified alerting), fed mutated real payloads: the parser returns
/// alerts or throws <see cref="AlertPayloadException"/> (the endpoint's 400) and nothing else. Failing inputs are kept
/// under <c>tests/corpus/alertmanager|grafana/</c> and replayed.
/// </summary>
public sealed class AlertPayloadFuzzTests
{
    public static TheoryData<string> Parsers => ["alertmanager", "grafana"];

    private static readonly Lazy<Dictionary<string, byte[][]>> Seeds = new(() =>
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "alerts"), "*.json").Order(StringComparer.Ordinal).ToList();
        return new Dictionary<string, byte[][]>(StringComparer.Ordinal)
        {
            ["grafana"] = [.. files.Where(f => Path.GetFileName(f).StartsWith("grafana_", StringComparison.Ordinal)).Select(File.ReadAllBytes)],
            ["alertmanager"] = [.. files.Where(f => !Path.GetFileName(f).StartsWith("grafana_", StringComparison.Ordinal)).Select(File.ReadAllBytes)],
        };
    });

    private static void Parse(byte[] body) => AlertPayloadParser.Parse(body);

    private static void AllPass(string parser, IEnumerable<byte[]> inputs)
    {
        var failures = inputs.Select(input => BadInputHarness.Check(parser, input, Parse, typeof(AlertPayloadException))).OfType<string>().Take(10).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Parsers))]
    public void Parse_TruncatedAtEveryByte_ReturnsAlertsOrAPayloadError(string parser) =>
        AllPass(parser, Seeds.Value[parser].SelectMany(seed => Mutations.Truncations(seed, maxCuts: 400)));

    [Theory]
    [MemberData(nameof(Parsers))]
    public void Parse_EveryValueWrongTyped_ReturnsAlertsOrAPayloadError(string parser)
    {
        var root = Mutations.TryParse(Seeds.Value[parser][0])!;
        var nodes = Mutations.Walk(root).Count();
        AllPass(parser, Enumerable.Range(1, nodes - 1).SelectMany(i => Mutations.HostileValues.Select(v => Mutations.ReplaceValue(root, i, v))).OfType<byte[]>());
    }

    [Property(MaxTest = 200, QuietOnSuccess = true)]
    public Property Parse_RandomlyMutatedPayload_ReturnsAlertsOrAPayloadError() =>
        Prop.ForAll((from parser in Gen.Elements("alertmanager", "grafana")
                     from index in Gen.Choose(0, 3)
                     from kind in Gen.Choose(0, 2)
                     from salt in Gen.Choose(0, int.MaxValue)
                     select (parser, index, kind, salt)).ToArbitrary(),
            c =>
            {
                var random = new Random(c.salt);
                var seeds = Seeds.Value[c.parser];
                var seed = seeds[c.index % seeds.Length];
                var input = c.kind switch
                {
                    0 => Mutations.FlipBits(seed, random, 1 + random.Next(8)),
                    1 => Mutations.ReplaceByte(seed, random),
                    _ => Mutations.InsertInvalidText(seed, random),
                };
                var failure = BadInputHarness.Check(c.parser, input, Parse, typeof(AlertPayloadException));
                return failure is null ? true.Label("ok") : false.Label(failure);
            });

    [Fact]
    public void Parse_ShapelessAndHugeBodies_ArePayloadErrorsOrParsed()
    {
        var garbage = new byte[64 * 1024];
        new Random(5).NextBytes(garbage);
        var manyAlerts = Encoding.UTF8.GetBytes("{\"alerts\":[" + string.Join(",", Enumerable.Repeat("{\"status\":\"firing\",\"labels\":{\"a\":\"b\"}}", 100_000)) + "]}");
        var bigLabel = Encoding.UTF8.GetBytes("{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"trace_id\":\"" + new string('a', 10 * 1024 * 1024) + "\"}}]}");
        byte[][] inputs =
        [
            [], " "u8.ToArray(), "null"u8.ToArray(), "[]"u8.ToArray(), "{}"u8.ToArray(), "{\"alerts\":{}}"u8.ToArray(), "{\"alerts\":[null]}"u8.ToArray(),
            "{\"alerts\":[{}]}"u8.ToArray(), "{\"alerts\":[{\"status\":\"firing\",\"labels\":[]}]}"u8.ToArray(),
            "{\"alerts\":[{\"status\":\"firing\",\"startsAt\":\"9999-99-99\"}]}"u8.ToArray(), "{\"alerts\":[{\"status\":\"\\uD800\"}]}"u8.ToArray(),
            "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"\\uDC00\":\"x\"}}]}"u8.ToArray(),
            "{\"alerts\":[{\"status\":\"firing\",\"annotations\":{\"trace_id\":\"\\uD800\"}}]}"u8.ToArray(),
            garbage, Mutations.DeepNesting(10_000), Encoding.UTF8.GetBytes("{\"alerts\":" + Encoding.UTF8.GetString(Mutations.DeepNesting(10_000)) + "}"),
            manyAlerts, bigLabel, [0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}'], [(byte)'{', 0xC3, 0x28, (byte)'}'],
        ];
        foreach (var input in inputs)
        {
            BadInputHarness.Assert("alertmanager", input, Parse, typeof(AlertPayloadException), maxAllocatedBytes: 64L * input.Length + (16 << 20));
        }
    }

    [Theory]
    [MemberData(nameof(Parsers))]
    public void Replay_EveryKeptInput_ReturnsAlertsOrAPayloadError(string parser)
    {
        var dir = BadInputHarness.CorpusDirectory(parser);
        AllPass(parser, Directory.Exists(dir) ? Directory.GetFiles(dir, "*.bin").Select(File.ReadAllBytes) : []);
    }
}
