#include "sim/catalog.h"

#include <algorithm>
#include <cmath>

#include "sim/alias_table.h"
#include "sim/genres.h"
#include "sim/geo_data.h"
#include "sim/names.h"
#include "sim/rng.h"

namespace playlake::sim {
namespace {

constexpr uint64_t kCatalogStream = 0xCA7A106;

float DrawFeature(Rng& rng, double mean, double sd) {
  return static_cast<float>(Clamp01(rng.Normal(mean, sd)));
}

}  // namespace

std::string Base62Id(uint64_t a, uint64_t b) {
  static constexpr char kDigits[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id(22, '0');
  for (int i = 0; i < 11; ++i) {
    id[static_cast<size_t>(i)] = kDigits[a % 62];
    a /= 62;
    id[static_cast<size_t>(11 + i)] = kDigits[b % 62];
    b /= 62;
  }
  return id;
}

double Catalog::PopularityOn(const Track& track, int64_t day) {
  const double age = static_cast<double>(day - track.release_day);
  if (age < 0) return 0;
  if (track.hype > 0) {
    // Rises to 1 + hype at hype_days, then fades over a few weeks.
    const double x = (age + 0.5) / track.hype_days;
    return track.base_popularity * (1.0 + track.hype * x * std::exp(1.0 - x));
  }
  return track.base_popularity / (1.0 + 0.3 * age / 365.0);
}

Catalog Catalog::Build(const CatalogOptions& options) {
  Catalog catalog;
  Rng rng(MixKeys(options.seed, kCatalogStream));
  const auto genres = Genres();
  std::vector<double> shares;
  for (const auto& g : genres) shares.push_back(g.market_share);
  const AliasTable genre_table(shares);
  std::vector<double> city_weights;
  for (const auto& c : Cities()) city_weights.push_back(c.weight);
  const AliasTable city_table(city_weights);

  const uint32_t artist_count = std::max<uint32_t>(20, options.tracks / 12);
  catalog.artists_.reserve(artist_count);
  for (uint32_t i = 0; i < artist_count; ++i) {
    Artist a;
    a.id = Base62Id(MixKeys(options.seed, 1, i), MixKeys(options.seed, 2, i));
    a.name = ArtistName(rng);
    a.genre = static_cast<uint8_t>(genre_table.Sample(rng));
    a.country = Cities()[city_table.Sample(rng)].country;
    // Pareto with alpha 1.1: a few stars, a long tail of niche artists.
    a.popularity = std::pow(1.0 - rng.Uniform(), -1.0 / 1.1);
    catalog.artists_.push_back(std::move(a));
  }

  const double range_days = static_cast<double>(options.end_day - options.start_day + 1);
  // About 0.4% of the catalog per day is new: enough for trends to move.
  const double new_share = std::min(0.5, 0.004 * (range_days + 14));
  catalog.tracks_.reserve(options.tracks);
  uint32_t album_index = 0;
  while (catalog.tracks_.size() < options.tracks) {
    Album album;
    album.id =
        Base62Id(MixKeys(options.seed, 3, album_index), MixKeys(options.seed, 4, album_index));
    album.artist = rng.Below(artist_count);
    const bool is_new = rng.Chance(new_share);
    album.single = rng.Chance(is_new ? 0.6 : 0.3);
    album.name = album.single ? std::string() : AlbumName(rng);
    if (is_new) {
      album.release_day = options.start_day - 14 +
                          static_cast<int64_t>(rng.Below(static_cast<uint32_t>(range_days + 14)));
    } else {
      album.release_day = options.start_day - 1 -
                          static_cast<int64_t>(std::min(20000.0, rng.Exponential(3 * 365.0)));
    }
    const Artist& artist = catalog.artists_[album.artist];
    const uint32_t count = album.single ? 1 + rng.Below(2) : 7 + rng.Below(8);
    const double hype = is_new ? 25.0 * std::exp(rng.Normal(0, 0.6)) : 0.0;
    const double hype_days = 3.0 + rng.Uniform() * 6.0;
    for (uint32_t k = 0; k < count && catalog.tracks_.size() < options.tracks; ++k) {
      const auto index = static_cast<uint32_t>(catalog.tracks_.size());
      Track t;
      t.id = Base62Id(MixKeys(options.seed, 5, index), MixKeys(options.seed, 6, index));
      t.name = TrackName(rng);
      if (album.single && k == 0) album.name = t.name;
      t.artist = album.artist;
      t.album = album_index;
      // Most tracks follow the artist's genre; some cross over.
      t.genre = rng.Chance(0.9) ? artist.genre : static_cast<uint8_t>(genre_table.Sample(rng));
      const GenreProfile& tg = genres[t.genre];
      t.explicit_lyrics = rng.Chance(tg.explicit_rate);
      const double seconds = std::max(45.0, rng.Normal(tg.duration_mean_s, tg.duration_sd_s));
      t.duration_ms = static_cast<uint32_t>(seconds * 1000.0) + rng.Below(1000);
      t.release_day = album.release_day;
      const double means[kFeatureCount] = {tg.danceability, tg.energy,           tg.valence,
                                           tg.acousticness, tg.instrumentalness, tg.speechiness,
                                           tg.liveness};
      for (int f = 0; f < kFeatureCount; ++f)
        t.features[f] = DrawFeature(rng, means[f], tg.feature_sd);
      t.tempo = static_cast<float>(std::clamp(rng.Normal(tg.tempo_mean, tg.tempo_sd), 50.0, 220.0));
      t.loudness = static_cast<float>(std::min(-0.5, rng.Normal(tg.loudness_mean, 2.5)));
      // Lead tracks of an album get more plays than deep cuts.
      t.base_popularity = artist.popularity * std::exp(rng.Normal(0, 0.9)) / (1.0 + 0.3 * k);
      t.hype = k == 0 ? hype : hype * 0.3;
      t.hype_days = hype_days;
      catalog.tracks_.push_back(std::move(t));
    }
    catalog.albums_.push_back(std::move(album));
    ++album_index;
  }
  return catalog;
}

}  // namespace playlake::sim
