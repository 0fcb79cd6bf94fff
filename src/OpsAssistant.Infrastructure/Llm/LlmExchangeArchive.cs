using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// Records LLM HTTP exchanges to a directory, or replays them from it, so an LLM eval run can be committed and re-checked
/// offline with identical scores and token figures. Exchanges are keyed by a hash of the request (method, path, body):
/// the prompt is deterministic, so the same trace sends the same bytes. It sits outside the resilience handler, so only
/// the final answer of each call is kept.
/// </summary>
public sealed class LlmExchangeArchive : DelegatingHandler
{
    public const string ManifestFile = "llm-run.json";

    private static readonly LlmJsonContext Json = new(new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });

    private readonly string _directory;
    private readonly bool _replay;

    public LlmExchangeArchive(string directory, bool replay)
    {
        _directory = directory;
        _replay = replay;
        if (!replay)
        {
            Directory.CreateDirectory(directory);
        }
        else if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Replay directory '{directory}' does not exist.");
        }
    }

    public static void WriteManifest(string directory, LlmRunManifest manifest)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, Json.LlmRunManifest));
    }

    public static LlmRunManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{directory}' holds no {ManifestFile}: it is not a recorded LLM run.", path);
        }

        return JsonSerializer.Deserialize(File.ReadAllText(path), Json.LlmRunManifest)
            ?? throw new InvalidDataException($"{path} is empty.");
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var key = Key(request.Method.Method, request.RequestUri?.AbsolutePath ?? "", body);
        var path = Path.Combine(_directory, key + ".json");
        if (_replay)
        {
            if (!File.Exists(path))
            {
                throw new LlmReplayMissException($"No recorded LLM exchange matches this request (key {key}); the prompt changed since the run was recorded.");
            }

            var saved = JsonSerializer.Deserialize(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), Json.RecordedExchange)!;
            return Build(saved, request);
        }

        // Re-attach the body we consumed so the inner handlers send the same bytes.
        if (request.Content is not null)
        {
            var replacement = new StringContent(body, Encoding.UTF8);
            replacement.Headers.ContentType = request.Content.Headers.ContentType;
            request.Content = replacement;
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var exchange = new RecordedExchange((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body, text);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(exchange, Json.RecordedExchange), cancellationToken).ConfigureAwait(false);
            var copy = Build(exchange, request);
            response.Dispose();
            return copy;
        }

        return response;
    }

    internal static string Key(string method, string path, string body) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{method}\n{path}\n{body}")))[..32];

    private static HttpResponseMessage Build(RecordedExchange saved, HttpRequestMessage request)
    {
        // System.ClientModel rewinds seekable response streams after reading SSE, which fails on a replayed body; a
        // forward-only stream behaves like a network response.
        var content = new StreamContent(new ForwardOnlyStream(Encoding.UTF8.GetBytes(saved.Response)));
        if (saved.ContentType is not null && MediaTypeHeaderValue.TryParse(saved.ContentType, out var type))
        {
            content.Headers.ContentType = type;
        }

        return new HttpResponseMessage((HttpStatusCode)saved.Status) { Content = content, RequestMessage = request };
    }

    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }

    internal sealed record RecordedExchange(int Status, string? ContentType, string Request, string Response);
}
