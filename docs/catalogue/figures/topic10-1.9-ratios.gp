# made by workbook; re-plot with: gnuplot -p <this file>
set title 'JL projection to your d: ||f(u) - f(v)|| / ||u - v|| over 1225 pairs' noenhanced
set xlabel 'distance ratio' noenhanced
set ylabel 'density' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
0.8525 0
0.8575 0
0.8625 0
0.8675 0
0.8725 0
0.8775 0
0.8825 0
0.8875 0
0.8925 0
0.8975 0
0.9025 0
0.9075 0
0.9125 0
0.9175 0
0.9225 0
0.9275 0
0.9325 0
0.9375 0
0.9425 0
0.9475 0
0.9525 0
0.9575 0
0.9625 0.9795918367
0.9675 1.632653061
0.9725 3.265306122
0.9775 7.346938776
0.9825 11.91836735
0.9875 17.95918367
0.9925 27.26530612
0.9975 33.79591837
1.0025 29.87755102
1.0075 28.08163265
1.0125 17.95918367
1.0175 10.7755102
1.0225 6.040816327
1.0275 2.12244898
1.0325 0.8163265306
1.0375 0.1632653061
1.0425 0
1.0475 0
1.0525 0
1.0575 0
1.0625 0
1.0675 0
1.0725 0
1.0775 0
1.0825 0
1.0875 0
1.0925 0
1.0975 0
1.1025 0
1.1075 0
1.1125 0
1.1175 0
1.1225 0
1.1275 0
1.1325 0
1.1375 0
1.1425 0
1.1475 0
EOD
$s1 << EOD
0.9 0
0.9 30
EOD
$s2 << EOD
1.1 0
1.1 30
EOD
plot $s0 using 1:2 with boxes title '1225 pairs', \
    $s1 using 1:2 with lines lw 2 title '1 - eps', \
    $s2 using 1:2 with lines lw 2 title '1 + eps'
