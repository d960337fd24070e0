using System.Text.Json;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Daemon.Tests.Audit;

/// <summary>
/// The live audit stream's shared tail (AuditFeed): many viewers get the same events in the same order, and a viewer
/// resuming from an older offset gets the gap from the journal and then the live events, nothing missed or repeated.
/// </summary>
public sealed class AuditFeedTests
{
    [Fact]
    public async Task Many_viewers_get_every_event_in_journal_order()
    {
        await using var daemon = await TestDaemon.StartAsync(kestrel: true);
        var viewers = new List<StreamViewer>();
        for (var i = 0; i < 20; i++)
        {
            viewers.Add(await StreamViewer.OpenAsync(daemon, "/api/audit/stream"));
        }

        for (var i = 0; i < 3; i++)
        {
            await daemon.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken);
            await daemon.SendAsync(HttpMethod.Post, "/api/resume", TestDaemon.OperatorToken);
        }

        var seen = new List<IReadOnlyList<(long Offset, string Change)>>();
        foreach (var viewer in viewers)
        {
            seen.Add(await viewer.ReadModeChangesAsync(6));
            viewer.Dispose();
        }

        Assert.Equal(["paused", "resumed", "paused", "resumed", "paused", "resumed"], seen[0].Select(e => e.Change));
        Assert.True(seen[0].Select(e => e.Offset).Order().SequenceEqual(seen[0].Select(e => e.Offset)));
        Assert.All(seen, events => Assert.Equal(seen[0], events));
    }

    [Fact]
    public async Task A_viewer_resuming_from_an_older_offset_gets_the_gap_then_the_live_events_each_once()
    {
        await using var daemon = await TestDaemon.StartAsync(kestrel: true);
        using (var first = await StreamViewer.OpenAsync(daemon, "/api/audit/stream"))
        {
            await daemon.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken);
            await daemon.SendAsync(HttpMethod.Post, "/api/resume", TestDaemon.OperatorToken);
            await daemon.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken);
            var before = await first.ReadModeChangesAsync(3);

            // Resumes after the first of the three: the other two come from the journal, the next one live.
            using var resumed = await StreamViewer.OpenAsync(daemon, $"/api/audit/stream?after={before[0].Offset}");
            await daemon.SendAsync(HttpMethod.Post, "/api/resume", TestDaemon.OperatorToken);
            var after = await resumed.ReadModeChangesAsync(3);

            Assert.Equal(before.Skip(1), after.Take(2));
            Assert.Equal("resumed", after[2].Change);
            Assert.True(after[2].Offset > before[2].Offset);
        }
    }

    private sealed class StreamViewer : IDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;

        private StreamViewer(HttpResponseMessage response, StreamReader reader)
        {
            _response = response;
            _reader = reader;
        }

        public static async Task<StreamViewer> OpenAsync(TestDaemon daemon, string path)
        {
            var response = await daemon.Client.SendAsync(daemon.Request(HttpMethod.Get, path, TestDaemon.ViewerToken), HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            // The stream is open (and has joined the live tail) once its first comment arrived.
            Assert.Equal(": audit stream", await reader.ReadLineAsync());
            return new StreamViewer(response, reader);
        }

        /// <summary>The next <paramref name="count"/> mode changes (offset and change), skipping other events.</summary>
        public async Task<IReadOnlyList<(long Offset, string Change)>> ReadModeChangesAsync(int count)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var changes = new List<(long, string)>();
            while (changes.Count < count && await _reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }

                var record = JsonDocument.Parse(line["data: ".Length..]).RootElement;
                if (record.GetProperty("type").GetString() == "autopilot.mode_changed")
                {
                    changes.Add((record.GetProperty("offset").GetInt64(), record.GetProperty("event").GetProperty("change").GetString()!));
                }
            }

            return changes;
        }

        public void Dispose()
        {
            _reader.Dispose();
            _response.Dispose();
        }
    }
}
