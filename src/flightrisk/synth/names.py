"""Synthetic Swedish-looking names. Drawn at random, so any match with a real person is chance."""

from __future__ import annotations

import numpy as np

FEMALE_FIRST = (
    "Anna Eva Maria Karin Sara Lena Emma Kerstin Ingrid Malin Jenny Linnéa Åsa Elin Hanna Ida "
    "Johanna Sofia Frida Märta Ebba Matilda Agnes Alva Maja Saga Ellen Wilma Elsa Tove Klara "
    "Lovisa Signe Stina Ylva Annika Ulrika Cecilia Helén Birgitta Louise Moa Nora Vera Astrid "
    "Greta Siv Solveig Therése Åsa-Lena Björg Liv Tilda Ronja Felicia"
).split()
MALE_FIRST = (
    "Erik Lars Karl Anders Johan Per Mikael Nils Jan Hans Peter Olof Fredrik Daniel Oskar "
    "Gustav Viktor Emil Axel Linus Hampus Måns Björn Göran Sören Åke Örjan Jöns Ludvig Hugo "
    "Elias Viggo Sixten Ragnar Torbjörn Ingemar Håkan Stefan Mattias Jonas Magnus Patrik "
    "Rasmus Sebastian Filip Albin Isak Melker Wilhelm Kristoffer"
).split()
SURNAMES = (
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson "
    "Lindström Olofsson Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lundgren Lund "
    "Lundqvist Mattsson Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin "
    "Engström Eklund Danielsson Håkansson Lundin Björk Bergman Gunnarsson Holm Wikström "
    "Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren Söderberg "
    "Nyberg Blomqvist Claesson Nordström Mårtensson Lundström Viklund Björklund Eliasson "
    "Pålsson Berggren Sandström Lund Nordin Ström Åberg Hermansson Ekström Holmgren "
    "Sundberg Hedlund Dahlberg Hellström Sjögren Abrahamsson Falk Öberg Åkesson Söderström "
    "Ågren Östlund Hägglund Strömberg Näslund Öhman Åström"
).split()


def draw_names(rng: np.random.Generator, genders: np.ndarray) -> np.ndarray:
    """One full name per entry of `genders` ("female", "male", "nonbinary")."""
    n = len(genders)
    female = np.array(FEMALE_FIRST)[rng.integers(len(FEMALE_FIRST), size=n)]
    male = np.array(MALE_FIRST)[rng.integers(len(MALE_FIRST), size=n)]
    neutral_pick = rng.random(n) < 0.5
    first = np.where(genders == "female", female, male)
    first = np.where((genders == "nonbinary") & neutral_pick, female, first)
    last = np.array(SURNAMES)[rng.integers(len(SURNAMES), size=n)]
    return np.char.add(np.char.add(first.astype(str), " "), last.astype(str)).astype(object)
