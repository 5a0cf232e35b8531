#include "sim/names.h"

#include <array>

namespace playlake::sim {
namespace {

constexpr std::array kFemale = {
    "Olivia",  "Emma",   "Ava",    "Sophia",    "Isabella", "Mia",   "Amelia", "Harper",
    "Chloé",   "Léa",    "Sofía",  "Valentina", "Camila",   "Lucía", "Ana",    "María",
    "Julia",   "Hannah", "Lena",   "Anna",      "Emilia",   "Freja", "Ingrid", "Aino",
    "Zoe",     "Yuki",   "Sakura", "Ji-woo",    "Priya",    "Aanya", "Amara",  "Chiamaka",
    "Wanjiru", "Fatima", "Layla",  "Siti",      "Mei",      "Grace", "Nora",   "Maja"};
constexpr std::array kMale = {
    "Liam",   "Noah",  "Oliver", "Elijah",   "James",     "William", "Lucas",   "Henry",
    "Hugo",   "Louis", "Mateo",  "Santiago", "Sebastián", "Diego",   "João",    "Pedro",
    "Leon",   "Felix", "Jonas",  "Lukas",    "Elias",     "Oskar",   "Mikko",   "Jakub",
    "Mehmet", "Kenji", "Haruto", "Min-jun",  "Arjun",     "Rohan",   "Chinedu", "Kwame",
    "Omar",   "Yusuf", "Budi",   "Wei",      "Jack",      "Thomas",  "Daniel",  "Søren"};
constexpr std::array kLast = {
    "Smith",     "Johnson",   "Williams",  "Brown",   "Garcia",    "Miller",  "Davis",
    "Rodriguez", "Martinez",  "Hernández", "López",   "González",  "Silva",   "Santos",
    "Oliveira",  "Pereira",   "Müller",    "Schmidt", "Schneider", "Fischer", "Martin",
    "Bernard",   "Dubois",    "Rossi",     "Russo",   "Bianchi",   "De Jong", "Jansen",
    "Andersson", "Johansson", "Nielsen",   "Hansen",  "Virtanen",  "Nowak",   "Kowalski",
    "Yılmaz",    "Kaya",      "Sato",      "Suzuki",  "Takahashi", "Kim",     "Lee",
    "Park",      "Sharma",    "Patel",     "Singh",   "Okafor",    "Mensah",  "Mwangi",
    "Nguyen",    "Santoso",   "Reyes",     "Cruz",    "O'Brien",   "Murphy",  "Kelly",
    "Walsh",     "Taylor",    "Wilson",    "Chen"};
constexpr std::array kAdjectives = {
    "Golden",  "Electric", "Silent",   "Neon",      "Broken", "Endless",  "Velvet",  "Wild",
    "Crimson", "Lonely",   "Midnight", "Summer",    "Frozen", "Hollow",   "Burning", "Blue",
    "Paper",   "Secret",   "Sweet",    "Distant",   "Little", "Restless", "Cosmic",  "Lucky",
    "Quiet",   "Savage",   "Tender",   "Sleepless", "Brave",  "Fading",   "Hidden",  "Bright",
    "Dark",    "Northern", "Analog",   "Gentle"};
constexpr std::array kNouns = {
    "Heart",   "Fire",    "Rain",   "Ocean",     "City",    "Dream",   "Night",     "Light",
    "Road",    "Star",    "River",  "Mirror",    "Garden",  "Storm",   "Shadow",    "Echo",
    "Wave",    "Thunder", "Angel",  "Ghost",     "Diamond", "Horizon", "Satellite", "Highway",
    "Memory",  "Signal",  "Season", "Window",    "Island",  "Moon",    "Desert",    "Kingdom",
    "Lullaby", "Machine", "Parade", "Coastline", "Avenue",  "Harbor",  "Sky"};
constexpr std::array kVerbs = {"Running",  "Falling",  "Dancing",  "Waiting", "Calling", "Chasing",
                               "Holding",  "Breaking", "Dreaming", "Burning", "Fading",  "Flying",
                               "Drifting", "Shining",  "Losing",   "Finding"};
constexpr std::array kBandWords = {"Wolves",     "Kids",   "Lights", "Machines", "Brothers",
                                   "Sisters",    "Pilots", "Ghosts", "Tides",    "Strangers",
                                   "Satellites", "Lovers", "Foxes",  "Arrows",   "Saints",
                                   "Echoes",     "Kings"};
constexpr std::array kStageNames = {"Lumen",    "Kairo",     "Nova",    "Aurora", "Zed",
                                    "Mira",     "Björk-ish", "Sol",     "Onyx",   "Indigo",
                                    "Lil Rook", "MC Vela",   "DJ Koba", "Yaël",   "Sinéad",
                                    "Ayo",      "Zaïre",     "Kyrie",   "Ñandú",  "Rhye"};
constexpr std::array kTrackSuffix = {
    " (Remastered)",   " - Radio Edit",     " (Live)",
    " (Acoustic)",     " (Remix)",          " (feat. Nova)",
    " (Extended Mix)", " - Single Version", " (Live at \"The Roxy\")"};

template <typename Array>
const char* Pick(Rng& rng, const Array& words) {
  return words[rng.Below(static_cast<uint32_t>(words.size()))];
}

}  // namespace

std::string PersonFirstName(Rng& rng, bool female) {
  return female ? Pick(rng, kFemale) : Pick(rng, kMale);
}

std::string PersonLastName(Rng& rng) { return Pick(rng, kLast); }

std::string ArtistName(Rng& rng) {
  switch (rng.Below(5)) {
    case 0:
      return std::string("The ") + Pick(rng, kAdjectives) + " " + Pick(rng, kBandWords);
    case 1:
      return std::string(Pick(rng, kAdjectives)) + " " + Pick(rng, kNouns);
    case 2:
      return std::string(Pick(rng, kStageNames)) +
             (rng.Chance(0.5) ? "" : " & The " + std::string(Pick(rng, kBandWords)));
    default:
      return PersonFirstName(rng, rng.Chance(0.5)) + " " + PersonLastName(rng);
  }
}

std::string AlbumName(Rng& rng) {
  switch (rng.Below(4)) {
    case 0:
      return std::string(Pick(rng, kAdjectives)) + " " + Pick(rng, kNouns) + "s";
    case 1:
      return std::string(Pick(rng, kNouns)) + " of the " + Pick(rng, kNouns);
    case 2:
      return std::string("The ") + Pick(rng, kNouns) + " Sessions";
    default:
      return std::string(Pick(rng, kAdjectives)) + " " + Pick(rng, kNouns);
  }
}

std::string TrackName(Rng& rng) {
  std::string name;
  switch (rng.Below(6)) {
    case 0:
      name = std::string(Pick(rng, kVerbs)) + " " + Pick(rng, kNouns);
      break;
    case 1:
      name = std::string(Pick(rng, kNouns)) + " of " + Pick(rng, kNouns) + "s";
      break;
    case 2:
      name = std::string("Don't Stop ") + Pick(rng, kVerbs);
      break;
    case 3:
      name = Pick(rng, kNouns);
      break;
    default:
      name = std::string(Pick(rng, kAdjectives)) + " " + Pick(rng, kNouns);
  }
  if (rng.Chance(0.08)) name += Pick(rng, kTrackSuffix);
  return name;
}

void AppendJsonEscaped(std::string& out, std::string_view text, bool escape_slash) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '/' && escape_slash) {
      out += "\\/";
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
}

std::string JsonString(std::string_view text, bool escape_slash) {
  std::string out = "\"";
  AppendJsonEscaped(out, text, escape_slash);
  out += '"';
  return out;
}

}  // namespace playlake::sim
