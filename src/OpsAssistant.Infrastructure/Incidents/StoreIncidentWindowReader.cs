using System.Data;
using OpsAssistant.Core.Incidents;
using OpsAssistant.Core.Model;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Infrastructure.Incidents;

/// <summary>
/// Reads one service's traces of a window from the embedded store in one query: the window's traces come from
/// <c>trace_index</c> by start time, only the service's own spans are read from <c>trace_spans</c>, and each trace is
/// reduced to an <see cref="IncidentTrace"/> as soon as its rows have passed, so memory holds one trace's spans at a time.
/// Past the limit the traces with the lowest IDs are taken: trace IDs are random, so that is a uniform sample.
/// </summary>
/// <remarks>
/// The service is compared as <c>service || ''</c>, which no index serves, and the window's trace IDs are the outer loop
/// (<c>CROSS JOIN</c>), so both databases look spans up by trace ID. Compared plainly, SQLite chose
/// <c>ix_trace_spans_service_name</c> and scanned every span of the service once per trace of the window: 35 s instead of
/// a fraction of a second for two windows of 10,000 traces (docs/performance.md).
/// </remarks>
internal sealed class StoreIncidentWindowReader(RelationalDatabase store) : IIncidentWindowReader
{
    private const string Sql = """
        WITH w AS (
            SELECT t.trace_id FROM trace_index t
            WHERE t.start_ns >= @from_ns AND t.start_ns < @to_ns
              AND EXISTS (SELECT 1 FROM trace_spans e WHERE e.trace_id = t.trace_id AND e.service || '' = @service)
            ORDER BY t.trace_id
            LIMIT @limit)
        SELECT s.trace_id, s.span_id, s.parent_span_id, s.name, s.start_ns, s.end_ns, s.payload
        FROM w CROSS JOIN trace_spans s
        WHERE s.trace_id = w.trace_id AND s.service || '' = @service
        ORDER BY s.trace_id, s.start_ns, s.span_id
        """;

    public async Task<IncidentWindow> ReadAsync(string service, IncidentTimeRange window, int maxTraces, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTraces, 1);

        await using var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = IncidentSql.Command(connection, Sql,
            ("from_ns", DbType.Int64, IncidentSql.UnixNano(window.From)),
            ("to_ns", DbType.Int64, IncidentSql.UnixNano(window.To)),
            ("service", DbType.String, service),
            ("limit", DbType.Int32, maxTraces + 1));

        var traces = new List<IncidentTrace>();
        var decoder = new SpanPayloadDecoder();
        var spans = new List<Span>();
        string? current = null;
        var count = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var traceId = reader.GetString(0);
                if (!string.Equals(traceId, current, StringComparison.Ordinal))
                {
                    Flush(traces, current, spans, service);
                    current = traceId;
                    if (++count > maxTraces)
                    {
                        break;
                    }
                }

                spans.Add(decoder.Decode(new SpanRow(
                    traceId,
                    reader.GetString(1),
                    await reader.IsDBNullAsync(2, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(2),
                    reader.GetString(3),
                    reader.GetInt64(4),
                    reader.GetInt64(5),
                    (byte[])reader.GetValue(6))));
            }
        }

        if (count <= maxTraces)
        {
            Flush(traces, current, spans, service);
        }

        return new IncidentWindow(traces, count > maxTraces);
    }

    private static void Flush(List<IncidentTrace> traces, string? traceId, List<Span> spans, string service)
    {
        if (traceId is not null && IncidentDimensions.Extract(traceId, spans, service) is { } trace)
        {
            traces.Add(trace);
        }

        spans.Clear();
    }
}
