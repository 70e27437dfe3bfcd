# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Mean attention entropy of each head (nats), your head_entropy' noenhanced
set xlabel 'head' noenhanced
set ylabel 'layer' noenhanced
set cblabel 'entropy (nats)' noenhanced
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set xrange [-0.5:3.5]
set yrange [1.5:-0.5]
$map << EOD
0 0 2.965945159
1 0 3.029379715
2 0 3.110436522
3 0 3.118297725

0 1 3.161337689
1 1 3.169158587
2 1 1.720036435
3 1 3.17729005

EOD
plot $map using 1:2:3 with image notitle
