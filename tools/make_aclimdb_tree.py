#!/usr/bin/env python3
# usage: python3 tools/make_aclimdb_tree.py DIR/aclImdb  (a stand-in for the IMDB archive's folder, for ch13/13.24 --full --data; see docs/results/ch13.md)
# A small generated tree in the aclImdb layout (no real IMDB data here): 2000 train and 1000 test reviews,
# half positive, plus the archive's extra entries (unsup/, urls files, imdb.vocab) that the reader ignores.
import os, random, sys
root = sys.argv[1]
rng = random.Random(2024)
neutral = ("the a film movie plot actor actress scene story was is and of this it to in cast ending music camera "
           "script role time hero director very quite really but so with its sequel plays character year watch saw "
           "felt seemed i we they there when after before while").split()
pos = ("good great superb lovely brilliant moving fun charming wonderful clever gripping delightful touching witty "
       "stunning elegant joyful vivid tender masterful warm fresh rich sublime").split()
neg = ("bad awful dull boring weak clumsy tedious poor terrible bland messy dreadful lifeless stale hollow shallow "
       "trite sloppy grating limp murky flat cheap silly").split()
weights = [1 / (r + 1) for r in range(len(pos))]
def review(label):
    sentences = []
    for _ in range(rng.randint(2, 3)):
        words = []
        for _ in range(rng.randint(5, 10)):
            if rng.random() < 0.2:
                side = pos if (label == 1) == (rng.random() < 0.85) else neg
                words.append(rng.choices(side, weights)[0])
            else:
                words.append(rng.choice(neutral))
        sentences.append(" ".join(words).capitalize() + rng.choice([".", "!", "..."]))
    return rng.choice([" ", "<br /><br />"]).join(sentences)
for split, count in (("train", 2000), ("test", 1000)):
    for label, name in ((0, "neg"), (1, "pos")):
        folder = os.path.join(root, split, name)
        os.makedirs(folder, exist_ok=True)
        for i in range(count // 2):
            rating = rng.randint(7, 10) if label else rng.randint(1, 4)
            with open(os.path.join(folder, f"{i}_{rating}.txt"), "w") as f:
                f.write(review(label))
    with open(os.path.join(root, split, "urls_pos.txt"), "w") as f:
        f.write("http://www.imdb.com/title/tt0000000/usercomments\n")
os.makedirs(os.path.join(root, "train", "unsup"), exist_ok=True)
with open(os.path.join(root, "train", "unsup", "0_0.txt"), "w") as f:
    f.write(review(1))
with open(os.path.join(root, "imdb.vocab"), "w") as f:
    f.write("\n".join(neutral + pos + neg))
