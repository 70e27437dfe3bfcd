# made by workbook; re-plot with: gnuplot -p <this file>
set title '|| d x_2[i] / d F_1[j] ||_F, residual (j = 0..2) and pipeline (j = 3..5)' noenhanced
set xlabel 'j (position written by layer 1''s FFN)' noenhanced
set ylabel 'i (position read by layer 3)' noenhanced
set cblabel 'Frobenius norm' noenhanced
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set xrange [-0.5:5.5]
set yrange [2.5:-0.5]
$map << EOD
0 0 1.977007
1 0 0.154575
2 0 0.618447
3 0 0.614029
4 0 0.635498
5 0 0.569121

0 1 0.310332
1 1 2.100565
2 1 0.508421
3 1 0.684608
4 1 0.561676
5 1 0.695395

0 2 0.137042
1 2 1.411458
2 2 3.589041
3 2 0.504679
4 2 0.634832
5 2 0.652399

EOD
plot $map using 1:2:3 with image notitle
