"""Made-up but plausible names for the demo children of Luwu Timur and their mothers.

Luwu Timur is mostly Bugis, Luwu (Tana Luwu) and Pamona/To Padoe, with Javanese and
Balinese transmigrant villages in Mangkutana, Tomoni, Tomoni Timur, Kalaena, Angkona,
Burau and Wotu. Children's names mix Bugis forms (the noble title *Andi*, *Besse*, *Sitti*
spelt with two t), Islamic names and the Indonesian names popular since 2015.
No name here belongs to a real child: they are drawn at random and combined.
"""

BOYS = [
    "Fadil", "Rizky", "Aditya", "Arya", "Ilham", "Syahrul", "Rahmat", "Alif", "Aqil", "Zidan",
    "Farhan", "Raffa", "Daffa", "Arsyad", "Hamzah", "Akbar", "Yusuf", "Haikal", "Gibran", "Arkan",
    "Rayyan", "Azka", "Fatih", "Abizar", "Fikri", "Ikram", "Syamsul", "Asri", "Irfan", "Hafiz",
    "Ardiansyah", "Nabil", "Zaki", "Rasya", "Alfarizi", "Kenzie", "Sultan", "Adnan", "Fahri", "Rafli",
    "Reza", "Hasan", "Husain", "Umar", "Zainal", "Amar", "Agung", "Sandi", "Fauzan", "Rafiq",
    "Ikhsan", "Taufik", "Wahyudi", "Muhlis", "Risal", "Aksa", "Athar", "Faris", "Ghazi", "Kahfi",
]  # fmt: skip

GIRLS = [
    "Aisyah", "Zahra", "Aulia", "Nabila", "Putri", "Khanza", "Alesha", "Syakila", "Azzahra", "Fatimah",
    "Ainun", "Nayla", "Keisha", "Adiba", "Humaira", "Qiara", "Almira", "Hafizah", "Rahma", "Nurhikmah",
    "Nurfadilah", "Indah", "Wahyuni", "Salsabila", "Annisa", "Khadijah", "Shafa", "Aqila", "Hilya", "Naura",
    "Zaskia", "Arsyila", "Maryam", "Kayla", "Syifa", "Mutiara", "Anugrah", "Nadhira", "Afifah", "Asyifa",
    "Ramadhani", "Kirana", "Cahaya", "Zhafira", "Adelia", "Safira", "Rania", "Intan", "Felisha", "Amira",
]  # fmt: skip

BOY_PREFIX = [("Muhammad ", 0.20), ("Muh. ", 0.05), ("Andi ", 0.07), ("Ahmad ", 0.05)]
GIRL_PREFIX = [("Andi ", 0.06), ("Nur ", 0.06), ("Sitti ", 0.04), ("Siti ", 0.03), ("Besse ", 0.02)]

JAVANESE_BOYS = [
    "Bagus", "Dimas", "Wahyu", "Galih", "Bayu", "Yoga", "Satria", "Danang", "Aji", "Arif",
    "Rendy", "Eko", "Bima", "Seno", "Rangga",
]  # fmt: skip
JAVANESE_GIRLS = [
    "Ayu", "Dewi", "Sekar", "Ratna", "Wulan", "Laras", "Anjani", "Puspita", "Sri Rahayu", "Lestari",
    "Nindya", "Tiara", "Kinanti", "Ayuning", "Citra",
]  # fmt: skip
BALINESE_BOY_PREFIX = ["I Putu ", "I Made ", "I Komang ", "I Ketut ", "I Wayan ", "I Gede ", "I Kadek "]
BALINESE_GIRL_PREFIX = ["Ni Putu ", "Ni Made ", "Ni Luh ", "Ni Komang ", "Ni Kadek ", "Ni Wayan "]
BALINESE_NAMES = [
    "Agus", "Ari", "Dharma", "Surya", "Adi", "Indra", "Wira", "Ayu", "Sri", "Dewi", "Sinta", "Astiti",
    "Suarta", "Wisnu", "Candra",
]  # fmt: skip

MOTHERS = [
    "Hasnah", "Nurhayati", "Hasriani", "Rahmawati", "Sitti Aminah", "Jumriani", "Ramlah", "Hasmawati",
    "Nurjannah", "Irmawati", "Hasliana", "Sukmawati", "Asriani", "Suriani", "Mardiana", "Nurlela",
    "Haerani", "Fitriani", "Kasmawati", "Darmawati", "Ernawati", "Hartini", "Musdalifah", "Rosmiati",
    "Hikmawati", "Nirwana", "Sitti Rahmah", "Andi Nurul", "Hasnawati", "Jusmiati", "Marlina", "Nurmiati",
    "Rosdiana", "Sahariah", "Syamsiah", "Wahyuni", "Yuliani", "Asnidar", "Fatmawati", "Haspiah",
    "Kartini", "Megawati", "Nurwahida", "Rismawati", "Satriani", "Ummu Kalsum", "Hadijah", "Husnaeni",
]  # fmt: skip
JAVANESE_MOTHERS = [
    "Sri Wahyuni", "Sulastri", "Suprapti", "Sumiati", "Endang", "Wiwik", "Tri Wahyuni", "Siti Aminah",
    "Rini", "Yuliana", "Suwarni", "Puji Astuti",
]  # fmt: skip
BALINESE_MOTHERS = ["Ni Made Sri", "Ni Ketut Suarni", "Ni Luh Ayu", "Ni Wayan Sukerti", "Ni Komang Ari", "Ni Putu Dewi"]

#: Kecamatan with Javanese and Balinese transmigrant villages: share of such names there.
TRANSMIGRANT_SHARE = {
    "73.24.01": (0.25, 0.05),  # Mangkutana
    "73.24.05": (0.15, 0.00),  # Angkona
    "73.24.06": (0.15, 0.00),  # Wotu
    "73.24.07": (0.20, 0.03),  # Burau
    "73.24.08": (0.25, 0.05),  # Tomoni
    "73.24.09": (0.30, 0.15),  # Tomoni Timur
    "73.24.10": (0.30, 0.12),  # Kalaena
}

ROMAN = ["I", "II", "III", "IV", "V", "VI"]
