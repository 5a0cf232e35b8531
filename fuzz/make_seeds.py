# Writes fuzz/corpus/<target>/ seed files: real rows from ../shared/realdata and
# small real-shaped rows like the tests'. Run once; the files are committed.
import json, os, sys
root = sys.argv[1]
real = sys.argv[2]
corpus = os.path.join(root, 'fuzz', 'corpus')

def put(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    open(os.path.join(d, name), 'wb').write(data)

playlake = ('{"event_id":"e-000001","ts":"2026-06-09T07:14:03.512Z","user_id":"u00042","session_id":"s-42-3",'
            '"track_id":"t000317","artist_id":"a00021","album_id":"al00087","track_name":"Night Drive",'
            '"artist_name":"Bj\\u00f6rk Lane","album_name":"Coast","duration_ms":214000,"ms_played":214000,'
            '"country":"SE","region":"AB","city":"Stockholm","timezone":"Europe/Stockholm","device":"mobile",'
            '"platform":"android","level":"paid","reason_start":"trackdone","reason_end":"trackdone",'
            '"shuffle":false,"skipped":false,"offline":false}')
playlake_ms = ('{"event_id":"e-000002","ts":1762021425123,"user_id":"u7","track_id":"spotify:track:6potEImiklXkwD9qFzpu15",'
               '"ms_played":31000,"device":"Desktop","level":"free","country":"us","skipped":true}')
log_dir = os.path.join(real, 'sparkify', 'log_data')
log_file = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(log_dir) for f in fs)[0]
log_lines = open(log_file, encoding='utf-8').read().splitlines()
next_song = [l for l in log_lines if '"NextSong"' in l]
other_page = [l for l in log_lines if '"NextSong"' not in l]
double_encoded = [l for l in next_song if '\\u00c3' in l][:1]
song_dir = os.path.join(real, 'sparkify', 'song_data')
song_files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(song_dir) for f in fs)
song = open(song_files[0]).read()
history = json.load(open(os.path.join(real, 'spotify_history', 'Streaming_History_Audio_2023.json')))
history22 = json.load(open(os.path.join(real, 'spotify_history', 'Streaming_History_Audio_2022.json')))
episode = [h for h in history if h.get('episode_name')][0]
legacy = json.load(open(os.path.join(real, 'spotify_history', 'StreamingHistory3.json')))
artist = '{"artist_id":"a00021","name":"Bj\\u00f6rk Lane","genre":"indie pop","country":"SE"}'
album = '{"album_id":"al00087","artist_id":"a00021","name":"Coast","release_date":"2019-04-12","album_type":"album"}'
track = ('{"track_id":"t000317","name":"Night Drive","artist_id":"a00021","album_id":"al00087","genre":"indie pop",'
         '"duration_ms":214000,"release_date":"2019-04-12","explicit":false,"danceability":0.61,"energy":0.72,'
         '"valence":0.44,"acousticness":0.12,"instrumentalness":0.0,"speechiness":0.05,"liveness":0.11,'
         '"tempo":118.02,"loudness":-6.3}')
user = ('{"user_id":"u00042","first_name":"Kaylee","last_name":"Summers","gender":"F","country":"SE","region":"AB",'
        '"city":"Stockholm","timezone":"Europe/Stockholm","registration_ts":"2025-11-02T10:00:00Z","level":"free",'
        '"device":"mobile","platform":"android"}')

# record_parser: selector byte (format = s % 6: playlake, eventsim, msd-song,
# spotify-history, spotify-legacy, playlake-catalog; catalog file = s / 6 % 4;
# bit 0x80: a listener name is given), then one record.
put('record_parser', 'playlake', b'\x00' + playlake.encode())
put('record_parser', 'playlake_epoch_ms', b'\x00' + playlake_ms.encode())
put('record_parser', 'eventsim_nextsong', b'\x01' + next_song[0].encode())
put('record_parser', 'eventsim_other_page', b'\x01' + other_page[0].encode())
if double_encoded:
    put('record_parser', 'eventsim_double_encoded', b'\x01' + double_encoded[0].encode())
put('record_parser', 'msd_song', b'\x02' + song.encode())
put('record_parser', 'spotify_history', bytes([0x83]) + json.dumps(history[0]).encode())
put('record_parser', 'spotify_history_2022', bytes([0x83]) + json.dumps(history22[0]).encode())
put('record_parser', 'spotify_episode', bytes([0x83]) + json.dumps(episode).encode())
put('record_parser', 'spotify_legacy', bytes([0x84]) + json.dumps(legacy[0]).encode())
put('record_parser', 'catalog_artist', bytes([5]) + artist.encode())
put('record_parser', 'catalog_album', bytes([11]) + album.encode())
put('record_parser', 'catalog_track', bytes([17]) + track.encode())
put('record_parser', 'catalog_user', bytes([23]) + user.encode())

# document: selector byte (file name, see document_fuzzer.cc), then the file.
put('document', 'playlake_ndjson', b'\x00' + (playlake + '\n' + playlake_ms + '\n').encode())
put('document', 'eventsim_log', b'\x01' + ('\n'.join(log_lines[:3]) + '\n').encode())
put('document', 'msd_song_file', b'\x02' + song.encode())
put('document', 'msd_song_pretty', b'\x02' + json.dumps(json.loads(song), indent=2).encode())
put('document', 'spotify_history', b'\x03' + json.dumps(history[:3], indent=1).encode())
put('document', 'spotify_endsong', b'\x04' + json.dumps(history22[:2]).encode())
put('document', 'spotify_legacy', b'\x05' + json.dumps(legacy[:3], indent=2).encode())
csv_file = ('event_id,ts,user_id,track_id,ms_played,device,level,country,skipped,track_name\n'
            'e1,2026-06-09T07:14:03Z,u1,t1,214000,mobile,paid,SE,false,"Night Drive"\n'
            'e2,1762021425123,u2,t2,31000.0,Desktop,free,us,TRUE,"Say ""hi"", Bj\xc3\xb6rk"\r\n')
put('document', 'plays_csv', b'\x06' + csv_file.encode('latin-1'))
put('document', 'catalog_tracks', b'\x07' + (track + '\n').encode())
put('document', 'catalog_users', b'\x08' + (user + '\n').encode())

# csv: a CSV file (line 1 the header).
put('csv', 'plays', csv_file.encode('latin-1'))
put('csv', 'reordered_with_unknown_columns',
    '\ufeffms_played,track_id,extra,user_id,ts,event_id,shuffle,offline,duration_ms,session_id\n'
    '1000,t9,x,u9,2026-11-01T19:23:45+01:00,e9,False,true,200000,38\n'
    ',t9,,u9,,e10,,,,\n'.encode())
put('csv', 'broken_quotes', b'event_id,ts,user_id,track_id,ms_played\n"e1,2026-06-09T07:14:03Z,u1,t1,5\ne2,"x"y,u,t,1\n')

# timestamp: one text to parse (its first 8 bytes are also read as an integer).
for i, t in enumerate(['2026-11-01T18:23:45.123Z', '2026-11-01T19:23:45+01:00', '2026-11-01 18:23:45Z',
                       '2016-12-31T23:59:60.999999-00:30', '2020-11-30 04:47', '2026-06-09', '1677323975000000',
                       '2023-02-25T11:20:37Z']):
    put('timestamp', 'case%d' % i, t)

# cron: one expression (those of the cron tests and docs/project.md).
for i, e in enumerate(['* * * * *', '*/15 * * * *', '*/20 * * * * *', '0 0 * * 5-7', '0 0 */2 * mon',
                       '0 0 1 jan,Jul *', '0 0 29 2 *', '0 9 * * mon-fri', '8-18/2 5/10 * * *', '@hourly',
                       '@annually', '0 0 30 2 *']):
    put('cron', 'case%d' % i, e)

# project: playlake.yml files.
put('project', 'full', '''name: radio
lake: lake
warehouse: warehouse.duckdb
threads: 4
sources:
  - name: catalog
    format: playlake-catalog
    path: data/catalog
  - name: events
    format: playlake
    path: [data/events, "more/*.jsonl"]
  - name: history
    format: spotify-history
    path: exports/
    user: alice
server:
  host: 127.0.0.1
  port: 8080
  token_env: PLAYLAKE_TOKEN
schedule:
  cron: "0 * * * *"
alerts:
  webhook_env: PLAYLAKE_ALERT_WEBHOOK
''')
put('project', 'minimal', 'name: marts-test\nsources:\n  - name: events\n    path: data/events\n')
put('project', 'flow_style', '{name: x, threads: 0, server: {port: 70000}, schedule: {cron: "@daily"}}\n')
put('project', 'empty', '')

# filters: a query string.
for i, q in enumerate(['from=2026-06-01&to=2026-06-30&country=SE&device=mobile&level=paid',
                       'country=unknown&device=unknown&level=unknown&limit=10',
                       'from=2026-02-29', 'to=2026-06-01&from=2026-07-01', 'days=7&country=se', 'level=']):
    put('filters', 'case%d' % i, q)
