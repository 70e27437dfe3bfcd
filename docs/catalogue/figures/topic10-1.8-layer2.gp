# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Layer 2, induction head on [1, 2, 3, 1, 2]' noenhanced
set xlabel 'key position j' noenhanced
set ylabel 'query position t' noenhanced
set cblabel 'attention weight' noenhanced
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set xrange [-0.5:4.5]
set yrange [4.5:-0.5]
$map << EOD
0 0 1
1 0 0
2 0 0
3 0 0
4 0 0

0 1 2.061153533e-09
1 1 0.9999999979
2 1 0
3 1 0
4 1 0

0 2 1.030576789e-09
1 2 0.4999999892
2 2 0.5000000098
3 2 0
4 2 0

0 3 2.061153695e-09
1 3 0.9999999938
2 3 2.06115378e-09
3 3 2.061153865e-09
4 3 0

0 4 4.248354579e-18
1 4 2.061153865e-09
2 4 0.9999999938
3 4 2.061153865e-09
4 4 2.06115395e-09

EOD
plot $map using 1:2:3 with image notitle
