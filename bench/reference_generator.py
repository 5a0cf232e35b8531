#!/usr/bin/env python3
"""A straightforward play-event generator, written the way a data engineer
would typically write one (random + json.dumps, one dict per event), used only
as the baseline that bench/run.sh compares `playlake generate` against.

It produces the same fields as docs/event-contract.md with simple models
(uniform users, Zipf-ish tracks, uniform times). Usage:
    reference_generator.py EVENTS OUT_FILE
"""
import datetime
import itertools
import json
import random
import sys
import uuid

GENRES = ["pop", "rock", "hip-hop", "edm", "jazz", "classical", "metal", "folk"]
CITIES = [("US", "NY", "New York", "America/New_York"), ("GB", "LND", "London", "Europe/London"),
          ("DE", "BE", "Berlin", "Europe/Berlin"), ("BR", "SP", "São Paulo", "America/Sao_Paulo"),
          ("JP", "13", "Tokyo", "Asia/Tokyo"), ("IN", "MH", "Mumbai", "Asia/Kolkata")]
DEVICES = [("mobile", "ios"), ("mobile", "android"), ("desktop", "windows"), ("web", "web")]


def main():
    events, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(42)
    tracks = [{"track_id": uuid.UUID(int=rng.getrandbits(128)).hex[:22],
               "artist_id": uuid.UUID(int=rng.getrandbits(128)).hex[:22],
               "album_id": uuid.UUID(int=rng.getrandbits(128)).hex[:22],
               "track_name": f"Track {i}", "artist_name": f"Artist {i % 997}",
               "album_name": f"Album {i % 3001}", "duration_ms": rng.randint(90000, 400000)}
              for i in range(20000)]
    cum_weights = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(tracks))))
    users = [{"user_id": str(i + 1), "city": rng.choice(CITIES), "device": rng.choice(DEVICES),
              "level": "paid" if rng.random() < 0.4 else "free"} for i in range(10000)]
    start = datetime.datetime(2026, 1, 5, tzinfo=datetime.timezone.utc)
    span = 7 * 86400
    with open(out, "w", encoding="utf-8") as f:
        for _ in range(events):
            user = rng.choice(users)
            track = rng.choices(tracks, cum_weights=cum_weights)[0]
            ts = start + datetime.timedelta(seconds=rng.random() * span)
            skipped = rng.random() < 0.25
            country, region, city, tz = user["city"]
            device, platform = user["device"]
            event = {
                "event_id": uuid.UUID(int=rng.getrandbits(128)).hex,
                "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z",
                "user_id": user["user_id"], "track_id": track["track_id"],
                "ms_played": int(track["duration_ms"] * (rng.random() * 0.4 if skipped else 1)),
                "session_id": uuid.UUID(int=rng.getrandbits(128)).hex[:16],
                "artist_id": track["artist_id"], "album_id": track["album_id"],
                "track_name": track["track_name"], "artist_name": track["artist_name"],
                "album_name": track["album_name"], "duration_ms": track["duration_ms"],
                "country": country, "region": region, "city": city, "timezone": tz,
                "device": device, "platform": platform, "level": user["level"],
                "reason_start": "clickrow", "reason_end": "fwdbtn" if skipped else "trackdone",
                "shuffle": rng.random() < 0.4, "skipped": skipped, "offline": False,
            }
            f.write(json.dumps(event, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
